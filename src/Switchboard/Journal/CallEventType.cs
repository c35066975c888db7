namespace Switchboard.Journal;

/// <summary>Kinds of things a call does; each is a <see cref="CallEvent"/> in the call's journal.</summary>
internal enum CallEventType
{
    CallStarted,
    CallEnded,
    CallerSpeechStarted,
    CallerTurn,
    AgentTurn,
    BargeIn,
    Dtmf,
    ToolCall,
    BackendError,
    Usage,

    /// <summary>The backend's end-of-call summary (<c>text</c>), from an out-of-band response.</summary>
    Summary,

    /// <summary>A mid-call hot hand-off by the <c>hot_handoff</c> tool: <c>text</c> the reason, <c>data</c> call_id and arguments.</summary>
    HandoffHot,

    /// <summary>Where the time went before an agent item's first audio: gateway in, backend, gateway out.</summary>
    ResponseTiming,

    /// <summary>
    /// A transfer the agent asked for: <c>reason</c> <c>accepted</c> or <c>failed</c>, <c>detail</c> what the carrier said,
    /// <c>data</c> target, to, status (and http_status).
    /// </summary>
    Transfer,

    /// <summary>
    /// A call that was not admitted, with nothing else journalled for it: <c>reason</c> the refusal (<c>busy</c>,
    /// <c>budget_exhausted</c>, <c>draining</c>, <c>endpoint_rejected</c>), <c>detail</c> which limit, <c>data</c> as a start's
    /// (channel, team, endpoint, carrier ids). Announced as <c>call.refused</c>.
    /// </summary>
    CallRefused,

    /// <summary>
    /// A limit acted: <c>reason</c> <c>call_warning</c>, <c>idle_warning</c>, <c>cost_warning</c>, <c>budget_warning</c> (the agent
    /// was told to wrap up or asked whether the caller is there; <c>text</c> what it was told) or <c>goodbye</c> (the call is
    /// ending with a goodbye; <c>text</c> what the agent was told to say, <c>detail</c> why, <c>data.end_reason</c> the reason it will end with).
    /// </summary>
    LimitWarning,

    /// <summary>
    /// The call's backend session was replaced and the conversation replayed into the new one: <c>reason</c> <c>dropped</c>
    /// (the socket closed or broke under the call) or <c>session_age</c> (recycled before the backend's session cap),
    /// <c>detail</c> what the old socket said, <c>data</c> gap_ms (no backend from the drop to the replay sent), attempts,
    /// replayed_items, and gap_frames (caller audio frames dropped during the gap).
    /// </summary>
    BackendReconnected,
}
