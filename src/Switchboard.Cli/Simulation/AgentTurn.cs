namespace Switchboard.Cli.Simulation;

/// <summary>A stretch of agent audio the caller heard without a gap, from <paramref name="StartMs"/> for <paramref name="PlayedMs"/>.</summary>
internal sealed record AgentTurn(int Index, double StartMs, double PlayedMs, AgentTurnEnd End)
{
    /// <summary>When the turn stopped playing.</summary>
    public double EndMs => StartMs + PlayedMs;

    /// <summary>True when a <c>clear</c> cut the turn off.</summary>
    public bool Interrupted => End == AgentTurnEnd.Cleared;
}
