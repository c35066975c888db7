namespace Switchboard.Sessions;

/// <summary>
/// Application close codes of <c>/ws/session</c> (RFC 6455 reserves 4000-4999 for applications). The upgrade is
/// always accepted first, because a browser cannot read the HTTP status of a refused upgrade but can read a close code.
/// </summary>
internal static class SessionCloseCodes
{
    /// <summary>A newer connection to the same session took over.</summary>
    public const int Superseded = 4000;

    /// <summary>The URL lacks <c>sessionId</c> or <c>token</c>.</summary>
    public const int MissingCredentials = 4001;

    /// <summary>The token is invalid, expired, tampered with or for another session; or the session is unknown or expired.</summary>
    public const int Forbidden = 4003;

    /// <summary>A listen session's call is not live on this node (it has ended, or runs on another node).</summary>
    public const int CallNotFound = 4404;

    /// <summary>Refused by the limits: a concurrency cap is full, a daily budget is used up, or the gateway is draining (the reason says which).</summary>
    public const int TooManyRequests = 4429;

    /// <summary>The gateway failed unexpectedly.</summary>
    public const int InternalError = 4500;
}
