using Switchboard.Calls;
using Switchboard.Carriers;

namespace Switchboard.Tests.Calls;

public class PlaybackLedgerTests
{
    private const int BytesPerMs = 8; // μ-law 8 kHz

    private static (PlaybackLedger Ledger, ManualTimeProvider Time) Create(int firstChunkMs = 20, int markIntervalMs = 100)
    {
        var time = new ManualTimeProvider();
        return (new PlaybackLedger(BytesPerMs, firstChunkMs, markIntervalMs, time), time);
    }

    /// <summary>Sends <paramref name="ms"/> of audio in 20 ms chunks, registering marks when due; returns the mark sequences.</summary>
    private static List<long> Send(PlaybackLedger ledger, int ms)
    {
        var marks = new List<long>();
        for (var sent = 0; sent < ms; sent += 20)
        {
            if (ledger.AddSent(20 * BytesPerMs))
            {
                marks.Add(ledger.RegisterMark());
            }
        }

        return marks;
    }

    [Fact]
    public void AddSent_FirstChunkThenInterval_MarksDueAtThoseSizes()
    {
        var (ledger, _) = Create();
        ledger.BeginItem("item_a");
        Assert.Equal(160, ledger.BytesBeforeNextMark());
        var marks = Send(ledger, 520);
        // 20 ms, then every 100 ms: at 20, 120, 220, 320, 420, 520.
        Assert.Equal(6, marks.Count);
        Assert.Equal([1, 2, 3, 4, 5, 6], marks);
    }

    [Fact]
    public void TryEstimateHeard_NoEchoYet_ReportsZeroForTheSendingItem()
    {
        var (ledger, time) = Create();
        ledger.BeginItem("item_a");
        Send(ledger, 500);
        time.AdvanceMs(300);
        Assert.True(ledger.TryEstimateHeard(out var item, out var heard));
        Assert.Equal(("item_a", 0L), (item, heard));
    }

    [Fact]
    public void TryEstimateHeard_AfterEcho_InterpolatesAtRealTime()
    {
        var (ledger, time) = Create();
        ledger.BeginItem("item_a");
        var marks = Send(ledger, 1000); // marks at 20,120,...,920 ms
        ledger.MarkPlayed(marks[2]); // 220 ms played
        time.AdvanceMs(55);
        Assert.True(ledger.TryEstimateHeard(out _, out var heard));
        Assert.Equal(275, heard);
    }

    [Fact]
    public void TryEstimateHeard_PlaybackStalled_NeverPassesTheNextUnconfirmedMark()
    {
        var (ledger, time) = Create();
        ledger.BeginItem("item_a");
        var marks = Send(ledger, 1000);
        ledger.MarkPlayed(marks[1]); // 120 ms
        time.AdvanceMs(5000); // the carrier stopped echoing: stalled or slow
        Assert.True(ledger.TryEstimateHeard(out _, out var heard));
        Assert.Equal(220, heard); // clamped at the next mark
    }

    [Fact]
    public void TryEstimateHeard_LastMarkEchoed_ClampsToAudioSent()
    {
        var (ledger, time) = Create();
        ledger.BeginItem("item_a");
        var marks = Send(ledger, 240); // marks at 20, 120, 220; 20 ms unmarked
        ledger.MarkPlayed(marks[^1]);
        time.AdvanceMs(500);
        Assert.True(ledger.HasUnplayedAudio);
        Assert.True(ledger.TryEstimateHeard(out _, out var heard));
        Assert.Equal(240, heard);
    }

    [Fact]
    public void MarkPlayed_AllEchoed_NoUnplayedAudio()
    {
        var (ledger, _) = Create();
        ledger.BeginItem("item_a");
        var marks = Send(ledger, 220);
        Assert.True(ledger.HasUnplayedAudio);
        ledger.MarkPlayed(marks[^1]);
        Assert.False(ledger.HasUnplayedAudio);
        Assert.False(ledger.TryEstimateHeard(out _, out _));
    }

    [Fact]
    public void Clear_MarksEchoedByTheClear_AreIgnored()
    {
        var (ledger, time) = Create();
        ledger.BeginItem("item_a");
        var marks = Send(ledger, 520);
        ledger.MarkPlayed(marks[0]);
        ledger.Clear();
        Assert.False(ledger.HasUnplayedAudio);
        // The carrier echoes every pending mark right after a clear although that audio never played.
        foreach (var m in marks)
        {
            ledger.MarkPlayed(m);
        }

        ledger.BeginItem("item_b");
        var next = Send(ledger, 200);
        time.AdvanceMs(100);
        Assert.True(ledger.TryEstimateHeard(out var item, out var heard));
        Assert.Equal(("item_b", 0L), (item, heard));
        Assert.True(next[0] > marks[^1]);
    }

    [Fact]
    public void TryEstimateHeard_NextItemQueuedBehindPrevious_ReportsThePlayingItem()
    {
        var (ledger, time) = Create();
        ledger.BeginItem("item_a");
        var a = Send(ledger, 220);
        ledger.BeginItem("item_b");
        Send(ledger, 300);
        ledger.MarkPlayed(a[1]); // item_a at 120 ms
        time.AdvanceMs(40);
        Assert.True(ledger.TryEstimateHeard(out var item, out var heard));
        Assert.Equal(("item_a", 160L), (item, heard));
    }
}
