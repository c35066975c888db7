using System.Net.WebSockets;

namespace Switchboard.Cli.Simulation;

/// <summary>What happened on a simulated call, with times in call milliseconds from the stream start.</summary>
internal sealed record SimulationResult
{
    /// <summary>The carrier simulated.</summary>
    public required CarrierKind Carrier { get; init; }

    /// <summary>The stream's identifiers.</summary>
    public required CallIdentity Identity { get; init; }

    /// <summary>The stream's wire format.</summary>
    public required StreamFormat Format { get; init; }

    /// <summary>Everything that happened, ordered by time.</summary>
    public required IReadOnlyList<TimelineEntry> Timeline { get; init; }

    /// <summary>Caller speech and barge-in segments as sent.</summary>
    public required IReadOnlyList<CallerSpeechSegment> CallerSpeech { get; init; }

    /// <summary>Each barge-in and how quickly the gateway cleared playback.</summary>
    public required IReadOnlyList<BargeIn> BargeIns { get; init; }

    /// <summary>Caller media frames sent.</summary>
    public required int MediaFramesSent { get; init; }

    /// <summary>DTMF messages sent.</summary>
    public required int DtmfSent { get; init; }

    /// <summary>Agent media messages received, in arrival order.</summary>
    public required IReadOnlyList<ReceivedMediaFrame> ReceivedMedia { get; init; }

    /// <summary>Marks received and when they were echoed.</summary>
    public required IReadOnlyList<MarkRecord> Marks { get; init; }

    /// <summary>Clears received.</summary>
    public required IReadOnlyList<ClearRecord> Clears { get; init; }

    /// <summary>Agent turns as the caller heard them.</summary>
    public required IReadOnlyList<AgentTurn> Turns { get; init; }

    /// <summary>Times the playout buffer ran dry in the middle of an agent turn.</summary>
    public required int PlayoutUnderruns { get; init; }

    /// <summary>The agent audio the caller heard, 8 kHz mono, on the call timeline (index 0 = stream start).</summary>
    public required short[] AgentAudio { get; init; }

    /// <summary>Media received after a clear while the interrupting caller speech was still going on (a gateway bug).</summary>
    public int StaleMediaCount => ReceivedMedia.Count(f => f.Stale);

    /// <summary>Gateway messages a real carrier would reject or ignore.</summary>
    public required IReadOnlyList<ProtocolViolation> ProtocolViolations { get; init; }

    /// <summary>From the end of the first caller speech to the first agent turn that started after it; null if none did.</summary>
    public required double? TimeToFirstAgentAudioMs { get; init; }

    /// <summary>When the first agent media message arrived.</summary>
    public required double? FirstAgentAudioReceivedMs { get; init; }

    /// <summary>When the first agent audio started playing.</summary>
    public required double? FirstAgentAudioPlayedMs { get; init; }

    /// <summary>True when the gateway closed the WebSocket before the carrier sent <c>stop</c>.</summary>
    public required bool GatewayClosedFirst { get; init; }

    /// <summary>The close status the gateway sent, if it sent one.</summary>
    public required WebSocketCloseStatus? CloseStatus { get; init; }

    /// <summary>The close description the gateway sent, if any.</summary>
    public required string? CloseDescription { get; init; }

    /// <summary>True when the connection dropped without a close handshake.</summary>
    public required bool ConnectionLost { get; init; }

    /// <summary>Call length from stream start to the end of the simulation.</summary>
    public required double DurationMs { get; init; }
}
