namespace Switchboard.SipConnector;

/// <summary>
/// Reads the SIP INVITE headers the connector forwards (all untrusted): header lookup ignoring case, the caller's number
/// (<c>P-Asserted-Identity</c> when present, else <c>From</c>), the dialled number (<c>To</c>), and the user part of a name-addr
/// (<c>"Alice" &lt;sip:+15550001111@carrier.example;user=phone&gt;;tag=1</c> → <c>+15550001111</c>). Never throws.
/// </summary>
internal static class SipHeaders
{
    /// <summary>The longest value kept from any header.</summary>
    public const int MaxValueLength = 256;

    /// <summary>The first value of <paramref name="name"/>, ASCII case-insensitive (SIP header names are).</summary>
    public static string? Find(IReadOnlyList<KeyValuePair<string, string>> headers, string name)
    {
        foreach (var (key, value) in headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>Who is calling: the user of <c>P-Asserted-Identity</c> (the carrier's asserted identity) or else of <c>From</c>.</summary>
    public static string? CallerNumber(IReadOnlyList<KeyValuePair<string, string>> headers) =>
        UserOf(Find(headers, "P-Asserted-Identity")) ?? UserOf(Find(headers, "From"));

    /// <summary>The number dialled: the user of <c>To</c>, which routes the call to an endpoint's <c>phoneNumbers</c>.</summary>
    public static string? DialledNumber(IReadOnlyList<KeyValuePair<string, string>> headers) => UserOf(Find(headers, "To"));

    /// <summary>
    /// The user of a SIP/tel URI in a header value, or null. A number of 8 to 15 digits without its <c>+</c> gets one, so it
    /// matches the E.164 numbers endpoints list; anything else (an extension, <c>anonymous</c>) is returned as given.
    /// </summary>
    public static string? UserOf(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var span = value.AsSpan().Trim();
        // name-addr: the URI sits between < and >; addr-spec: the URI runs to the header parameters.
        var open = span.IndexOf('<');
        if (open >= 0)
        {
            var close = span[(open + 1)..].IndexOf('>');
            span = close >= 0 ? span.Slice(open + 1, close) : span[(open + 1)..];
        }
        else
        {
            var parameters = span.IndexOf(';');
            if (parameters >= 0 && !span.StartsWith("tel:", StringComparison.OrdinalIgnoreCase))
            {
                span = span[..parameters];
            }
        }

        span = span.Trim();
        var isTel = false;
        if (span.StartsWith("sips:", StringComparison.OrdinalIgnoreCase))
        {
            span = span[5..];
        }
        else if (span.StartsWith("sip:", StringComparison.OrdinalIgnoreCase))
        {
            span = span[4..];
        }
        else if (span.StartsWith("tel:", StringComparison.OrdinalIgnoreCase))
        {
            span = span[4..];
            isTel = true;
        }

        if (!isTel)
        {
            var at = span.IndexOf('@');
            if (at < 0)
            {
                // A URI without a user names only a host: no number in it.
                return null;
            }

            span = span[..at];
        }

        // User parameters (;user=phone, ;isub=…) and a password (user:password) are not part of the number.
        var cut = span.IndexOfAny(';', ':');
        if (cut >= 0)
        {
            span = span[..cut];
        }

        span = span.Trim();
        if (span.IsEmpty)
        {
            return null;
        }

        var user = Uri.UnescapeDataString(span.Length > MaxValueLength ? span[..MaxValueLength].ToString() : span.ToString());
        var digits = user.AsSpan().TrimStart('+');
        if (!user.StartsWith('+') && digits.Length is >= 8 and <= 15 && !digits.ContainsAnyExceptInRange('0', '9'))
        {
            return "+" + user;
        }

        return user;
    }
}
