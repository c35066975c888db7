using Switchboard.Journal;

namespace Switchboard.Tests.Journal;

public class CallTranscriptTests
{
    private static CallEvent E(long seq, CallEventType type, string? text = null, string? item = null, bool? interrupted = null, long? heard = null) => new()
    {
        CallId = "call_1",
        Sequence = seq,
        At = DateTimeOffset.UnixEpoch.AddSeconds(seq),
        Type = type,
        Text = text,
        ItemId = item,
        Interrupted = interrupted,
        HeardMs = heard,
    };

    [Fact]
    public void Build_BargeInAfterAgentText_MarksThatTurnInterruptedWithHeardMs()
    {
        var turns = CallTranscript.Build(
        [
            E(1, CallEventType.CallStarted),
            E(2, CallEventType.CallerTurn, "(1.4 s of speech)", "item_u1"),
            E(3, CallEventType.AgentTurn, "Your order ships tomorrow.", "item_a1", interrupted: false),
            E(4, CallEventType.BargeIn, item: "item_a1", heard: 840),
            E(5, CallEventType.CallerTurn, "(0.6 s of speech)", "item_u2"),
            E(6, CallEventType.AgentTurn, "Sure.", "item_a2", interrupted: false),
        ]);

        Assert.Equal(["caller", "agent", "caller", "agent"], turns.Select(t => t.Role));
        Assert.True(turns[1].Interrupted);
        Assert.Equal(840, turns[1].HeardMs);
        Assert.False(turns[3].Interrupted);
        Assert.Null(turns[3].HeardMs);
    }

    [Fact]
    public void Build_InterruptedFlagAlreadyOnTheTurn_IsKept()
    {
        var turns = CallTranscript.Build([E(2, CallEventType.AgentTurn, "Hel", "item_a", interrupted: true, heard: 120), E(1, CallEventType.BargeIn, item: "item_a", heard: 120)]);
        var turn = Assert.Single(turns);
        Assert.True(turn.Interrupted);
        Assert.Equal(120, turn.HeardMs);
    }
}
