namespace Switchboard.Calls;

/// <summary>Why a call's backend session was replaced (the <c>reason</c> of a <c>BackendReconnected</c> event).</summary>
internal static class ReconnectReasons
{
    /// <summary>The session closed or broke under the call (a close frame, a reset, an abort, an unanswered ping).</summary>
    public const string Dropped = "dropped";

    /// <summary>The session was recycled on purpose before the backend's length cap (<c>Backend:SessionMaxAgeMinutes</c>).</summary>
    public const string SessionAge = "session_age";

    /// <summary>
    /// The call moved to its endpoint's fallback backend: the primary failed to connect at the start, or dropped and was
    /// not regained within the budget (the event's <c>data</c> names the <c>backend</c>, <c>model</c> and <c>from</c>).
    /// </summary>
    public const string Failover = "failover";
}
