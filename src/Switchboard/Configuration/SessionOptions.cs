namespace Switchboard.Configuration;

/// <summary>Session tokens for <c>/ws/session</c> (section <c>Switchboard:Sessions</c>).</summary>
public sealed record SessionOptions
{
    /// <summary>Lifetime of a <c>wsToken</c>, in seconds (default 300).</summary>
    public int TokenTtlSeconds { get; init; } = 300;

    /// <summary>
    /// HMAC-SHA256 key for session tokens, base64, at least 32 bytes (env <c>SWITCHBOARD_SESSION_KEY</c>).
    /// When empty, a random key is generated once and kept in the database, so every node sharing the
    /// database accepts the same tokens and restarts keep them valid.
    /// </summary>
    public string? SigningKey { get; init; }

    /// <summary>Longest <c>/ws/session</c> message accepted from a client, in bytes.</summary>
    public int MaxMessageBytes { get; init; } = 256 * 1024;

    /// <summary>How long the gateway waits for a page's <c>action_result</c> before telling the model the action failed (<c>browser_actions</c> mode).</summary>
    public int ActionTimeoutSeconds { get; init; } = 10;

    /// <summary>How long after an <c>interrupt</c> the gateway waits for the client's played position before truncating at its own estimate, in ms.</summary>
    public int InterruptReplyTimeoutMs { get; init; } = 500;

    /// <summary>The WebRTC gateway <c>voice_conversation</c> session responses name; none by default.</summary>
    public WebRtcOptions WebRtc { get; init; } = new();
}
