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
}
