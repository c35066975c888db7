namespace Switchboard.Cli.Simulation;

/// <summary>What happened at a point on the call timeline.</summary>
internal enum TimelineKind
{
    /// <summary>The carrier sent <c>connected</c>.</summary>
    Connected,

    /// <summary>The carrier sent <c>start</c>; time zero of the stream.</summary>
    Start,

    /// <summary>Caller speech began in the frames being sent.</summary>
    CallerSpeechStarted,

    /// <summary>Caller speech ended.</summary>
    CallerSpeechEnded,

    /// <summary>Barge-in speech began (streamed over whatever the agent is saying).</summary>
    BargeInStarted,

    /// <summary>Barge-in speech ended.</summary>
    BargeInEnded,

    /// <summary>The caller pressed a key.</summary>
    DtmfSent,

    /// <summary>The first agent <c>media</c> message arrived.</summary>
    FirstAgentAudioReceived,

    /// <summary>The first agent audio reached the caller's ear (after the playout delay).</summary>
    FirstAgentAudioPlayed,

    /// <summary>Agent audio began playing after silence.</summary>
    AgentTurnStarted,

    /// <summary>Agent audio stopped playing: ran out, was cleared, or the call ended.</summary>
    AgentTurnEnded,

    /// <summary>The gateway sent <c>clear</c>.</summary>
    ClearReceived,

    /// <summary>The gateway sent a <c>mark</c>.</summary>
    MarkReceived,

    /// <summary>The carrier echoed a <c>mark</c>.</summary>
    MarkEchoed,

    /// <summary>Agent audio arrived after a clear while the caller was still speaking.</summary>
    StaleMedia,

    /// <summary>The gateway sent something a real carrier would reject or ignore.</summary>
    ProtocolViolation,

    /// <summary>The carrier sent <c>stop</c>.</summary>
    StopSent,

    /// <summary>The gateway closed the WebSocket (or the connection dropped).</summary>
    GatewayClosed,

    /// <summary>The WebSocket is closed and the simulation is over.</summary>
    Ended,
}
