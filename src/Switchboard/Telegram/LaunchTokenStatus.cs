namespace Switchboard.Telegram;

/// <summary>How a launch token read: valid, or why not (each is its own refusal code at bootstrap).</summary>
internal enum LaunchTokenStatus
{
    Valid,

    /// <summary>Missing, malformed, signed by another key, or for another bridge: <c>launch_token_invalid</c>.</summary>
    Invalid,

    /// <summary>Signed by this gateway but past its expiry: <c>launch_token_expired</c>.</summary>
    Expired,

    /// <summary>Redeemed before: <c>launch_token_used</c>.</summary>
    Used,
}
