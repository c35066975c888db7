namespace Switchboard.Sessions;

/// <summary>The <c>code</c> values of <c>error</c> messages on <c>/ws/session</c>. None of them closes the socket.</summary>
internal static class SessionErrorCodes
{
    public const string InvalidJson = "invalid_json";
    public const string InvalidMessage = "invalid_message";
    public const string UnknownType = "unknown_type";
    public const string InvalidText = "invalid_text";
    public const string BinaryNotSupported = "binary_not_supported";
    public const string TooManyPending = "too_many_pending";

    /// <summary>The agent backend reported an error (its own code is in <c>backendCode</c>).</summary>
    public const string BackendError = "backend_error";

    /// <summary>The agent's response ended as <c>failed</c> or <c>incomplete</c>.</summary>
    public const string ResponseFailed = "response_failed";

    /// <summary>Sent just before a 1011 close: the backend could not be reached.</summary>
    public const string BackendUnavailable = "backend_unavailable";

    /// <summary>Sent just before a 1011 close: the backend dropped the connection.</summary>
    public const string BackendDisconnected = "backend_disconnected";
}
