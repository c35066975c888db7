using Switchboard.Cli.Simulation;

namespace Switchboard.IntegrationTests.Simulation;

public sealed class PlayoutEmulatorTests
{
    private readonly List<TimelineEntry> _timeline = [];

    [Fact]
    public void Mark_AfterAudio_FallsDueWhenTheAudioHasPlayed()
    {
        var playout = Create();
        playout.EnqueueAudio(0, Samples(1000));
        Assert.Empty(playout.EnqueueMark(10, "m"));
        Assert.Empty(playout.Advance(1059));
        Assert.Equal(["m"], playout.Advance(1060));
        Assert.Equal(1060, playout.Marks[0].EchoedMs);
        Assert.False(playout.Marks[0].EchoedByClear);
    }

    [Fact]
    public void Mark_WithNothingQueued_IsDueAtOnce()
    {
        var playout = Create();
        Assert.Equal(["m"], playout.EnqueueMark(5, "m"));
    }

    [Fact]
    public void Audio_ArrivingWhileQueued_PlaysBackToBackInOneTurn()
    {
        var playout = Create();
        playout.EnqueueAudio(0, Samples(100));
        playout.EnqueueAudio(50, Samples(100)); // queue ends at 160: continues without a new jitter delay
        playout.EnqueueMark(60, "end");
        Assert.Equal(["end"], playout.Advance(260));
        playout.Finish(1000);
        var turn = Assert.Single(playout.Turns);
        Assert.Equal(60, turn.StartMs);
        Assert.Equal(200, turn.PlayedMs);
        Assert.Equal(AgentTurnEnd.Completed, turn.End);
    }

    [Fact]
    public void Audio_AfterTheQueueRanDry_StartsANewTurnBehindTheJitterDelay()
    {
        var playout = Create();
        playout.EnqueueAudio(0, Samples(100));
        playout.EnqueueAudio(500, Samples(100));
        playout.Finish(1000);
        Assert.Equal([60.0, 560.0], playout.Turns.Select(t => t.StartMs));
        Assert.Equal(2, _timeline.Count(e => e.Kind == TimelineKind.AgentTurnStarted));
        Assert.Single(_timeline, e => e.Kind == TimelineKind.FirstAgentAudioPlayed);
    }

    [Fact]
    public void Audio_ArrivingWithinTheTurnGap_ContinuesTheTurnAfterAnUnderrun()
    {
        var playout = Create();
        playout.EnqueueAudio(0, Samples(100));   // plays 60-160
        playout.EnqueueAudio(200, Samples(100)); // buffer dry at 160; resumes at 260 after the jitter delay
        playout.Finish(1000);
        var turn = Assert.Single(playout.Turns);
        Assert.Equal(60, turn.StartMs);
        Assert.Equal(360, turn.EndMs);
        Assert.Equal(200, turn.PlayedMs);
        Assert.Equal(1, turn.Underruns);
        Assert.Equal(1, playout.Underruns);
        Assert.Equal(AgentTurnEnd.Completed, turn.End);
    }

    [Fact]
    public void Turn_EndsAtTheLastAudioOnceTheGapHasPassed()
    {
        var playout = Create();
        playout.EnqueueAudio(0, Samples(100));
        playout.Advance(300);
        Assert.Empty(playout.Turns);
        Assert.Equal(410, playout.NextDueMs);
        playout.Advance(410);
        var turn = Assert.Single(playout.Turns);
        Assert.Equal(160, turn.EndMs);
        Assert.Contains(_timeline, e => e.Kind == TimelineKind.AgentTurnEnded && e.TimeMs == 160);
    }

    [Fact]
    public void Clear_AfterTheTurnsAudioRanOut_DoesNotCountAsAnInterruption()
    {
        var playout = Create();
        playout.EnqueueAudio(0, Samples(100));
        playout.Clear(200);
        var turn = Assert.Single(playout.Turns);
        Assert.Equal(AgentTurnEnd.Completed, turn.End);
        Assert.Equal(160, turn.EndMs);
    }

    [Fact]
    public void Clear_DropsUnplayedAudioAndReleasesPendingMarks()
    {
        var playout = Create();
        playout.EnqueueAudio(0, Samples(1000, 1000));
        playout.EnqueueMark(0, "a");
        playout.EnqueueAudio(0, Samples(500, 1000));
        playout.EnqueueMark(0, "b");

        var (marks, dropped) = playout.Clear(500);

        Assert.Equal(["a", "b"], marks);
        Assert.Equal(1500 - 440, dropped, 0.01);
        Assert.All(playout.Marks, m => Assert.True(m.EchoedByClear));
        var turn = Assert.Single(playout.Turns);
        Assert.True(turn.Interrupted);
        Assert.Equal(440, turn.PlayedMs, 0.01);

        var heard = playout.Output(8 * 2000);
        Assert.All(heard[..(60 * 8)], s => Assert.Equal(0, s));
        Assert.All(heard[(60 * 8)..(500 * 8)], s => Assert.Equal(1000, s));
        Assert.All(heard[(500 * 8)..], s => Assert.Equal(0, s));
        Assert.Null(playout.NextDueMs);
    }

    [Fact]
    public void Clear_WhileAudioIsStillInTheJitterBuffer_PlaysNothing()
    {
        var playout = Create();
        playout.EnqueueAudio(0, Samples(200));
        var (_, dropped) = playout.Clear(30);
        Assert.Equal(200, dropped, 0.01);
        Assert.Empty(playout.Turns);
        Assert.Null(playout.FirstPlayedMs);
    }

    [Fact]
    public void Finish_CutsOffPlayingAudioAndNeverEchoesPendingMarks()
    {
        var playout = Create();
        playout.EnqueueAudio(0, Samples(1000));
        playout.EnqueueMark(0, "never");
        playout.Finish(300);
        Assert.Null(playout.Marks[0].EchoedMs);
        var turn = Assert.Single(playout.Turns);
        Assert.Equal(AgentTurnEnd.CallEnded, turn.End);
        Assert.Equal(240, turn.PlayedMs, 0.01);
    }

    private static short[] Samples(int ms, short value = 100) => Enumerable.Repeat(value, ms * 8).ToArray();

    private PlayoutEmulator Create() => new(8000, 60, (kind, time, detail) => _timeline.Add(new TimelineEntry(kind, time, detail)));
}
