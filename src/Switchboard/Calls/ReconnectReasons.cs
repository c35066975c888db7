namespace Switchboard.Calls;

/// <summary>Why a call's backend session was replaced (the <c>reason</c> of a <c>BackendReconnected</c> event).</summary>
internal static class ReconnectReasons
{
    /// <summary>The session closed or broke under the call (a close frame, a reset, an abort, an unanswered ping).</summary>
    public const string Dropped = "dropped";

    /// <summary>The session was recycled on purpose before the backend's length cap (<c>Backend:SessionMaxAgeMinutes</c>).</summary>
    public const string SessionAge = "session_age";
}
