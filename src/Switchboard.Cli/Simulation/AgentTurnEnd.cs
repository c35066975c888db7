namespace Switchboard.Cli.Simulation;

/// <summary>Why an agent turn stopped playing.</summary>
internal enum AgentTurnEnd
{
    /// <summary>All the audio the gateway sent for it played out.</summary>
    Completed,

    /// <summary>A <c>clear</c> cut it off (barge-in).</summary>
    Cleared,

    /// <summary>The call ended while it was still playing.</summary>
    CallEnded,
}
