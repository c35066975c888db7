namespace Switchboard.Calls;

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

    /// <summary>Where the time went before an agent item's first audio: gateway in, backend, gateway out.</summary>
    ResponseTiming,
}
