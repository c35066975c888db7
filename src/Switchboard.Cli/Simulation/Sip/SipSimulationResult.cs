using System.Text.Json.Nodes;

namespace Switchboard.Cli.Simulation.Sip;

/// <summary>What happened on a simulated SIP connector call, seen from OpenAI's side.</summary>
internal sealed record SipSimulationResult
{
    /// <summary>The gateway's answer to the webhook.</summary>
    public int WebhookStatus { get; init; }

    /// <summary>The session the gateway accepted the call with, if it did.</summary>
    public JsonNode? AcceptedSession { get; init; }

    /// <summary>The SIP status the gateway rejected the call with, if it did.</summary>
    public int? RejectStatus { get; init; }

    /// <summary>The REFER target the gateway transferred the call to, if it did.</summary>
    public string? ReferTarget { get; init; }

    /// <summary>The gateway hung the call up.</summary>
    public bool HungUp { get; init; }

    /// <summary>The gateway attached the sideband.</summary>
    public bool SidebandAttached { get; init; }

    /// <summary>How the call ended, in words.</summary>
    public required string Ending { get; init; }

    /// <summary>The agent's turns (transcripts), in order.</summary>
    public IReadOnlyList<string> AgentTurns { get; init; } = [];

    /// <summary>Function calls the agent made: name and arguments.</summary>
    public IReadOnlyList<string> ToolCalls { get; init; } = [];

    /// <summary>Everything the caller heard (24 kHz PCM), on the call's timeline.</summary>
    public short[] AgentAudio { get; init; } = [];

    /// <summary>Problems with the gateway's behaviour (a REST call after the end, a sideband before the accept…).</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];
}
