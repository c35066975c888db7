namespace Switchboard.Configuration;

/// <summary>
/// The gateway-wide hot hand-off target (section <c>Switchboard:Handoff</c>): where each <c>hot_handoff</c> is POSTed, from
/// the durable outbox, with <c>Authorization: Bearer</c> <see cref="Token"/>. An endpoint's own <c>handoff</c> wins over it.
/// Env <c>SUPABASE_VOICE_HANDOFF_URL</c> and <c>SUPABASE_VOICE_HANDOFF_TOKEN</c> (the names Telnyx-fronted gateways use).
/// </summary>
public sealed record HandoffOptions
{
    /// <summary>Absolute http(s) URL of the edge function or service that takes hand-offs; unset: none.</summary>
    public string? Url { get; init; }

    /// <summary>The bearer token sent with each hand-off (never logged).</summary>
    public string? Token { get; init; }

    internal IEnumerable<string> Validate(string prefix)
    {
        if (string.IsNullOrWhiteSpace(Url))
        {
            if (!string.IsNullOrEmpty(Token))
            {
                yield return $"{prefix}:Token is set but {prefix}:Url is not (set SUPABASE_VOICE_HANDOFF_URL).";
            }

            yield break;
        }

        if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || !string.IsNullOrEmpty(uri.UserInfo))
        {
            yield return $"{prefix}:Url must be an absolute http(s) URL without credentials (got '{Url}').";
        }
    }
}
