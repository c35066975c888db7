namespace Switchboard.Calls;

/// <summary>The errors the bridge shows a caller leg that shows them (a session's <c>error</c> messages); none ends the call by itself.</summary>
internal static class CallerErrorCodes
{
    /// <summary>The agent backend reported an error (its own code goes with it).</summary>
    public const string BackendError = "backend_error";

    /// <summary>The agent's response ended as <c>failed</c> or <c>incomplete</c>.</summary>
    public const string ResponseFailed = "response_failed";

    /// <summary>Sent just before a 1011 close: the backend could not be reached.</summary>
    public const string BackendUnavailable = "backend_unavailable";

    /// <summary>Sent just before a 1011 close: the backend dropped the connection.</summary>
    public const string BackendDisconnected = "backend_disconnected";

    /// <summary>Too many typed turns are waiting.</summary>
    public const string TooManyPending = "too_many_pending";
}
