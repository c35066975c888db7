using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Carriers.Twilio;

/// <summary>
/// Computes and checks <c>X-Twilio-Signature</c>: base64(HMAC-SHA1(authToken, url + sorted key/value pairs)).
/// Twilio's own SDKs accept the URL with and without the default port because Twilio's signer is
/// inconsistent about it, so <see cref="IsValid"/> tries both forms.
/// </summary>
internal static class TwilioSignature
{
    /// <summary>Computes the signature for a URL and form parameters (ordinal key order, repeated keys by sorted value).</summary>
    public static string Compute(string authToken, string url, IEnumerable<KeyValuePair<string, string>>? parameters = null)
    {
        var data = new StringBuilder(url);
        if (parameters is not null)
        {
            foreach (var group in parameters.GroupBy(p => p.Key, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                foreach (var value in group.Select(p => p.Value).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
                {
                    data.Append(group.Key).Append(value);
                }
            }
        }

#pragma warning disable CA5350 // Twilio defines the scheme as HMAC-SHA1; we must match it.
        var mac = HMACSHA1.HashData(Encoding.UTF8.GetBytes(authToken), Encoding.UTF8.GetBytes(data.ToString()));
#pragma warning restore CA5350
        return Convert.ToBase64String(mac);
    }

    /// <summary>
    /// True when <paramref name="signature"/> matches <paramref name="url"/> in any of its accepted forms:
    /// as given, with the default port added or removed, and (for WebSocket upgrades) with the
    /// <c>wss</c>/<c>https</c> scheme swapped. Comparison is constant-time.
    /// </summary>
    public static bool IsValid(string authToken, string? signature, string url, IEnumerable<KeyValuePair<string, string>>? parameters = null)
    {
        if (string.IsNullOrEmpty(signature) || string.IsNullOrEmpty(authToken))
        {
            return false;
        }

        var given = Encoding.ASCII.GetBytes(signature);
        var materialized = parameters?.ToList();
        var match = false;
        foreach (var candidate in UrlVariants(url))
        {
            var expected = Encoding.ASCII.GetBytes(Compute(authToken, candidate, materialized));
            // Evaluate every variant so timing does not reveal which form matched.
            match |= CryptographicOperations.FixedTimeEquals(expected, given);
        }

        return match;
    }

    /// <summary>The URL forms Twilio may have signed: scheme as given or swapped between ws/http families, with and without the default port.</summary>
    internal static IEnumerable<string> UrlVariants(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            yield return url;
            yield break;
        }

        var schemes = uri.Scheme switch
        {
            "wss" => new[] { "wss", "https" },
            "https" => new[] { "https", "wss" },
            "ws" => new[] { "ws", "http" },
            "http" => new[] { "http", "ws" },
            _ => new[] { uri.Scheme },
        };

        var seen = new HashSet<string>(StringComparer.Ordinal) { url };
        yield return url;
        foreach (var scheme in schemes)
        {
            var defaultPort = scheme is "https" or "wss" ? 443 : 80;
            var port = uri.IsDefaultPort ? defaultPort : uri.Port;
            var pathAndQuery = uri.GetComponents(UriComponents.PathAndQuery, UriFormat.UriEscaped);
            var withPort = $"{scheme}://{uri.Host}:{port}{pathAndQuery}";
            var withoutPort = port == defaultPort ? $"{scheme}://{uri.Host}{pathAndQuery}" : withPort;
            if (seen.Add(withoutPort))
            {
                yield return withoutPort;
            }

            if (seen.Add(withPort))
            {
                yield return withPort;
            }
        }
    }
}
