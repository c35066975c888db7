namespace Switchboard.Cli.Simulation;

/// <summary>
/// Agent audio the caller heard as one utterance: from <paramref name="StartMs"/> to <paramref name="EndMs"/>, of which
/// <paramref name="PlayedMs"/> was audio. <paramref name="Underruns"/> counts short gaps inside it where the playout
/// buffer ran dry because the gateway's audio arrived late (expected with --speed above 1 when the gateway paces its
/// output in real time).
/// </summary>
internal sealed record AgentTurn(int Index, double StartMs, double EndMs, double PlayedMs, AgentTurnEnd End, int Underruns)
{
    /// <summary>True when a <c>clear</c> cut the turn off.</summary>
    public bool Interrupted => End == AgentTurnEnd.Cleared;
}
