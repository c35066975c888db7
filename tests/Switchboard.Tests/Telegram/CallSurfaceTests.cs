using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Configuration;
using Switchboard.Telegram;

namespace Switchboard.Tests.Telegram;

public sealed class CallSurfaceTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 3, 0, 0, TimeSpan.Zero));

    private CallSurface Surface(int autoDisarmSeconds = 60) =>
        new(Options.Create(new SwitchboardOptions { Realtime = new RealtimeOptions { AutoDisarmSeconds = autoDisarmSeconds } }), _time);

    private static List<string> Types(System.Threading.Channels.Channel<System.Text.Json.Nodes.JsonObject> feed)
    {
        var types = new List<string>();
        while (feed.Reader.TryRead(out var message))
        {
            types.Add(message["type"]!.GetValue<string>());
        }

        return types;
    }

    [Fact]
    public void TryTake_WhileAnotherCallIsPrepared_IsNull_UntilItsConnectWindowPasses()
    {
        var surface = Surface();
        var first = surface.TryTake(Guid.NewGuid(), 42, 42, TimeSpan.FromSeconds(30));
        Assert.NotNull(first);
        Assert.True(surface.IsBusy);

        Assert.Null(surface.TryTake(Guid.NewGuid(), 43, 43, TimeSpan.FromSeconds(30)));
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.False(surface.IsBusy);
        Assert.NotNull(surface.TryTake(Guid.NewGuid(), 43, 43, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void TryGoLive_OnlyTheHoldersSessionWithinItsWindow()
    {
        var surface = Surface();
        var session = Guid.NewGuid();
        surface.TryTake(session, 42, 42, TimeSpan.FromSeconds(30));

        Assert.False(surface.TryGoLive(Guid.NewGuid(), "call_other", _ => Task.FromResult(true)));
        Assert.True(surface.TryGoLive(session, "call_1", _ => Task.FromResult(true)));
        Assert.False(surface.TryGoLive(session, "call_again", _ => Task.FromResult(true)));
        // A live call holds the lease however long it runs.
        _time.Advance(TimeSpan.FromHours(1));
        Assert.True(surface.IsBusy);
        Assert.Equal("call_1", surface.Lease!.CallId);
    }

    [Fact]
    public void Sweep_LiveCallNoLongerRunning_ReleasesTheLease()
    {
        var surface = Surface();
        var feed = surface.Feed.Subscribe();
        var session = Guid.NewGuid();
        surface.TryTake(session, 42, 42, TimeSpan.FromSeconds(30));
        surface.TryGoLive(session, "call_1", _ => Task.FromResult(true));

        surface.Sweep(_ => true);
        Assert.NotNull(surface.Lease);
        surface.Sweep(_ => false);

        Assert.Null(surface.Lease);
        Assert.Contains("call.lease_released", Types(feed));
    }

    [Fact]
    public async Task HangUp_CallsTheLiveCallsHangUp_AndNothingWithoutOne()
    {
        var surface = Surface();
        Assert.False(await surface.HangUpAsync("test"));
        var session = Guid.NewGuid();
        string? reason = null;
        surface.TryTake(session, 42, 42, TimeSpan.FromSeconds(30));
        Assert.False(await surface.HangUpAsync("not live yet"));
        surface.TryGoLive(session, "call_1", r =>
        {
            reason = r;
            return Task.FromResult(true);
        });

        Assert.True(await surface.HangUpAsync("operator"));
        Assert.Equal("operator", reason);
    }

    [Fact]
    public void Sweep_ArmedAndIdleForTheAutoDisarmTime_Disarms_ButNeverDuringACall()
    {
        var surface = Surface(autoDisarmSeconds: 60);
        var feed = surface.Feed.Subscribe();
        surface.Arm("test");
        var session = Guid.NewGuid();
        surface.TryTake(session, 42, 42, TimeSpan.FromSeconds(30));
        surface.TryGoLive(session, "call_1", _ => Task.FromResult(true));
        _time.Advance(TimeSpan.FromMinutes(5));
        surface.Sweep(_ => true);
        Assert.True(surface.IsArmed);

        // The idle clock starts again when the call ends.
        surface.Release(session);
        _time.Advance(TimeSpan.FromSeconds(59));
        surface.Sweep(_ => true);
        Assert.True(surface.IsArmed);
        _time.Advance(TimeSpan.FromSeconds(1));
        surface.Sweep(_ => true);

        Assert.False(surface.IsArmed);
        Assert.Equal(["surface.armed", "call.preparing", "call.started", "surface.disarmed"], Types(feed));
    }

    [Fact]
    public void Sweep_AutoDisarmOff_StaysArmed()
    {
        var surface = Surface(autoDisarmSeconds: 0);
        surface.Arm("test");
        _time.Advance(TimeSpan.FromDays(3));

        surface.Sweep(_ => true);

        Assert.True(surface.IsArmed);
    }

    [Fact]
    public async Task AsyncPaths_WithoutRedis_AreTheInProcessRules()
    {
        // The server's paths use the …Async methods; without Redis they must decide exactly as the in-process ones.
        var surface = Surface(autoDisarmSeconds: 10);
        var feed = surface.Feed.Subscribe();
        Assert.False(surface.IsShared);
        Assert.True(await surface.RefreshAsync());
        await surface.BindThreadAsync("t-1");
        await surface.ArmAsync("test");
        var session = Guid.NewGuid();

        var lease = await surface.TryTakeAsync(session, 42, 42, TimeSpan.FromSeconds(30));
        Assert.Equal("t-1", lease!.ThreadId);
        Assert.Null(lease.Node);
        Assert.Null(await surface.TryTakeAsync(Guid.NewGuid(), 43, 43, TimeSpan.FromSeconds(30)));
        Assert.False(await surface.TryGoLiveAsync(Guid.NewGuid(), "call_x", _ => Task.FromResult(true)));
        Assert.True(await surface.TryGoLiveAsync(session, "call_1", _ => Task.FromResult(true)));
        Assert.True(await surface.ReleaseAsync(session));
        Assert.False(await surface.ReleaseAsync(session));

        _time.Advance(TimeSpan.FromSeconds(10));
        await surface.SweepAsync(_ => true);
        Assert.False(surface.IsArmed);
        Assert.Equal(["thread.bound", "surface.armed", "call.preparing", "call.started", "surface.disarmed"], Types(feed));
    }
}
