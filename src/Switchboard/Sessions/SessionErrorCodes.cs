namespace Switchboard.Sessions;

/// <summary>The <c>code</c> values of <c>error</c> messages on <c>/ws/session</c>. None of them closes the socket.</summary>
internal static class SessionErrorCodes
{
    public const string InvalidJson = "invalid_json";
    public const string InvalidMessage = "invalid_message";
    public const string UnknownType = "unknown_type";
    public const string InvalidText = "invalid_text";
    public const string BinaryNotSupported = "binary_not_supported";
    public const string TooManyPending = Calls.CallerErrorCodes.TooManyPending;

    /// <summary><c>audio</c> in a mode without a microphone.</summary>
    public const string AudioNotAllowed = "audio_not_allowed";

    public const string InvalidAudio = "invalid_audio";
    public const string InvalidPlayback = "invalid_playback";

    /// <summary><c>action_result</c> for an action the gateway is not waiting for.</summary>
    public const string UnknownAction = "unknown_action";

    public const string InvalidActionResult = "invalid_action_result";

    /// <summary>A listen session sent something other than <c>ping</c> or <c>hangup</c>: ignored, it never reaches the call.</summary>
    public const string ListenOnly = "listen_only";

    /// <summary>The agent backend reported an error (its own code is in <c>backendCode</c>).</summary>
    public const string BackendError = Calls.CallerErrorCodes.BackendError;

    /// <summary>The agent's response ended as <c>failed</c> or <c>incomplete</c>.</summary>
    public const string ResponseFailed = Calls.CallerErrorCodes.ResponseFailed;

    /// <summary>Sent just before a 1011 close: the backend could not be reached.</summary>
    public const string BackendUnavailable = Calls.CallerErrorCodes.BackendUnavailable;

    /// <summary>Sent just before a 1011 close: the backend dropped the connection.</summary>
    public const string BackendDisconnected = Calls.CallerErrorCodes.BackendDisconnected;
}
