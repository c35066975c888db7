using Microsoft.Extensions.Time.Testing;
using Switchboard.Limits;

namespace Switchboard.Tests.Limits;

/// <summary>The arithmetic of a budget scope's day: this node's calls, the other nodes' live calls (Redis) and the re-read store.</summary>
public class UsageScopeTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-07T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    private UsageScope Scope(double finishedSeconds = 0, double finishedCost = 0) =>
        new("t:x", _time.GetUtcNow().Date, _time.GetUtcNow().Date.AddDays(1), finishedSeconds, finishedCost, _time);

    [Fact]
    public void Used_OwnLiveCalls_GrowWithTheClock_AndAreBookedWhenTheyLeave()
    {
        var scope = Scope(finishedSeconds: 100, finishedCost: 1);
        var start = _time.GetTimestamp();
        scope.Join(start);
        scope.AddCost(0.25);
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal((130, 1.25), scope.Used());

        scope.Leave(start, 30, 0.25);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal((130, 1.25), scope.Used());
        Assert.Equal(0, scope.Live);
    }

    [Fact]
    public void Used_OtherNodesLiveCalls_CountAsReported_ThenGrowUntilTheNextReport()
    {
        var scope = Scope(finishedSeconds: 10);
        scope.SetOthers(live: 2, seconds: 40, costUsd: 0.5);

        Assert.Equal((50, 0.5), scope.Used());
        _time.Advance(TimeSpan.FromSeconds(5));
        // Two calls elsewhere, 5 s more each.
        Assert.Equal((60, 0.5), scope.Used());

        scope.SetOthers(live: 1, seconds: 33, costUsd: 0.75);
        Assert.Equal((43, 0.75), scope.Used());
    }

    [Fact]
    public void FreezeOthers_KeepsWhatTheyUsed_ButStopsAssumingTheyRun()
    {
        var scope = Scope();
        scope.SetOthers(live: 3, seconds: 30, costUsd: 0.1);
        _time.Advance(TimeSpan.FromSeconds(2));

        scope.FreezeOthers();
        _time.Advance(TimeSpan.FromSeconds(60));

        Assert.Equal((36, 0.1), scope.Used());
    }

    [Fact]
    public void ReplaceFinished_TakesTheStoresFigures_PlusWhatThisNodeBookedAfterTheMark()
    {
        var scope = Scope(finishedSeconds: 50, finishedCost: 0.5);
        var start = _time.GetTimestamp();
        scope.Join(start);
        scope.AddCost(0.2);
        _time.Advance(TimeSpan.FromSeconds(20));
        scope.Leave(start, 20, 0.2);

        // The store is read: it has this node's call (20 s) and another node's (60 s) besides the 50 s of the morning.
        var mark = scope.OwnFinishedMark();
        var second = _time.GetTimestamp();
        scope.Join(second);
        scope.AddCost(0.1);
        _time.Advance(TimeSpan.FromSeconds(10));
        scope.Leave(second, 10, 0.1);
        scope.ReplaceFinished(130, 1.3, mark);

        // The call booked after the mark may not be in the store yet: it is kept on top.
        Assert.Equal(140, scope.Used().Seconds, 9);
        Assert.Equal(1.4, scope.Used().CostUsd, 9);
        Assert.Equal(TimeSpan.Zero, scope.SinceFinishedRead);
    }

    [Fact]
    public void RedisKey_NamesTheScopeAndItsDay()
    {
        var scope = new UsageScope("e:abc", DateTimeOffset.Parse("2026-12-07T05:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.Parse("2026-12-08T05:00:00Z", System.Globalization.CultureInfo.InvariantCulture), 0, 0, _time);

        Assert.Equal("switchboard:{budgets}:e:abc:1796619600", RedisBudgets.RedisKey(scope));
    }
}
