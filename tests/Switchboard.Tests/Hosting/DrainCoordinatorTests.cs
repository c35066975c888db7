using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Calls;
using Switchboard.Configuration;
using Switchboard.Journal;
using Switchboard.Limits;
using Switchboard.Server.Hosting;

namespace Switchboard.Tests.Hosting;

/// <summary>
/// The drain's steps on a fake clock: calls that end by themselves are waited for, the timeout brings every call a goodbye
/// ending <c>shutdown</c>, a goodbye that never ends is hung up once its bound passes, and the application stops only
/// after the journal was flushed. (A real process with real calls and signals: the integration tests' <c>Drain</c> folder.)
/// </summary>
public sealed class DrainCoordinatorTests : IAsyncDisposable
{
    private const int TimeoutSeconds = 10;
    private const int GoodbyeSeconds = 2;
    private const int SummarySeconds = 1;

    // The coordinator's grace after a goodbye's bound (DrainCoordinator.Grace).
    private const int GraceSeconds = 5;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly CallRegistry _calls = new();
    private readonly FlushCountingJournal _journal = new();
    private readonly ApplicationLifetime _lifetime = new(NullLogger<ApplicationLifetime>.Instance);
    private readonly DrainState _state = new();
    private readonly DrainCoordinator _drain;
    private readonly long _start;

    public DrainCoordinatorTests()
    {
        var options = new SwitchboardOptions
        {
            Drain = new DrainOptions { TimeoutSeconds = TimeoutSeconds },
            Limits = new LimitOptions { GoodbyeSeconds = GoodbyeSeconds },
            Artifacts = new ArtifactOptions { SummaryTimeoutSeconds = SummarySeconds },
        };
        _drain = new DrainCoordinator(_state, _calls, new ConcurrencySlots(), _journal, Options.Create(options), _lifetime, _time,
            NullLogger<DrainCoordinator>.Instance);
        _start = _time.GetTimestamp();
    }

    private TimeSpan Elapsed => _time.GetElapsedTime(_start);

    private bool Stopping => _lifetime.ApplicationStopping.IsCancellationRequested;

    private FakeCall Call(string id, bool goodbyeEnds) => new(_calls, id, goodbyeEnds, () => Elapsed);

    [Fact]
    public async Task Drain_CallsEndBeforeTheTimeout_NoGoodbyeStopsAfterTheFlush()
    {
        var call = Call("call_1", goodbyeEnds: true);
        await _drain.StartAsync(CancellationToken.None);

        Assert.True(_drain.Begin("test"));
        await AdvanceUntilAsync(() => false, TimeSpan.FromSeconds(3));
        Assert.False(Stopping);
        _calls.Remove(call.Id);
        await AdvanceUntilAsync(() => Stopping, TimeSpan.FromSeconds(5));

        Assert.True(Stopping);
        Assert.Empty(call.Goodbyes);
        Assert.Equal(1, _journal.Flushes);
        Assert.True(Elapsed < TimeSpan.FromSeconds(TimeoutSeconds));
    }

    [Fact]
    public async Task Drain_TimeoutPasses_EveryCallGetsItsGoodbyeEndingShutdownThenTheAppStops()
    {
        var first = Call("call_1", goodbyeEnds: true);
        var second = Call("call_2", goodbyeEnds: true);
        await _drain.StartAsync(CancellationToken.None);

        _drain.Begin("test");
        Assert.False(_drain.Begin("again"));
        await AdvanceUntilAsync(() => false, TimeSpan.FromSeconds(TimeoutSeconds - 0.5));
        Assert.Empty(first.Goodbyes);
        await AdvanceUntilAsync(() => Stopping, TimeSpan.FromSeconds(20));

        Assert.True(Stopping);
        foreach (var call in new[] { first, second })
        {
            var goodbye = Assert.Single(call.Goodbyes);
            Assert.Equal(CallEndReason.Shutdown, goodbye.Reason);
            Assert.True(goodbye.At >= TimeSpan.FromSeconds(TimeoutSeconds), $"goodbye at {goodbye.At}");
            Assert.Empty(call.HangUps);
        }

        Assert.Equal(1, _journal.Flushes);
    }

    [Fact]
    public async Task Drain_AGoodbyeNeverEnds_TheCallIsHungUpOnceItsBoundHasPassed()
    {
        var stuck = Call("call_1", goodbyeEnds: false);
        await _drain.StartAsync(CancellationToken.None);

        _drain.Begin("test");
        await AdvanceUntilAsync(() => Stopping, TimeSpan.FromSeconds(TimeoutSeconds + GoodbyeSeconds + SummarySeconds + (3 * GraceSeconds)));

        Assert.True(Stopping);
        Assert.Single(stuck.Goodbyes);
        var hangUp = Assert.Single(stuck.HangUps);
        Assert.True(hangUp >= TimeSpan.FromSeconds(TimeoutSeconds + GoodbyeSeconds + SummarySeconds + GraceSeconds), $"hung up at {hangUp}");
        Assert.Equal(1, _journal.Flushes);
    }

    [Fact]
    public async Task StopNow_WhileDraining_StopsAtOnceWithoutGoodbyes()
    {
        var call = Call("call_1", goodbyeEnds: true);
        await _drain.StartAsync(CancellationToken.None);
        _drain.Begin("SIGTERM");

        _drain.StopNow("second SIGTERM");

        Assert.True(Stopping);
        Assert.Empty(call.Goodbyes);
    }

    public async ValueTask DisposeAsync()
    {
        await _drain.StopAsync(CancellationToken.None);
        _drain.Dispose();
    }

    /// <summary>Moves the fake clock in 50 ms steps, letting the coordinator run between them, until <paramref name="done"/> or <paramref name="by"/> has passed.</summary>
    private async Task AdvanceUntilAsync(Func<bool> done, TimeSpan by)
    {
        var until = Elapsed + by;
        while (!done() && Elapsed < until)
        {
            _time.Advance(TimeSpan.FromMilliseconds(50));
            // Real time for the coordinator's continuations to catch up with the clock.
            await Task.Delay(2);
        }

        // Whatever the last step started settles.
        for (var i = 0; i < 50 && !done(); i++)
        {
            await Task.Delay(2);
        }
    }

    /// <summary>A live call: its goodbye ends it (leaves the registry) or never ends; a hang-up always ends it.</summary>
    private sealed class FakeCall
    {
        private readonly CallRegistry _registry;
        private readonly bool _goodbyeEnds;
        private readonly Func<TimeSpan> _clock;

        public FakeCall(CallRegistry registry, string id, bool goodbyeEnds, Func<TimeSpan> clock)
        {
            _registry = registry;
            _goodbyeEnds = goodbyeEnds;
            _clock = clock;
            Id = id;
            registry.Add(new ActiveCall(id, "twilio", null, DateTimeOffset.UtcNow, HangUpAsync) { EndWithGoodbyeAsync = EndWithGoodbyeAsync });
        }

        public string Id { get; }

        public List<(string Reason, TimeSpan At)> Goodbyes { get; } = [];

        public List<TimeSpan> HangUps { get; } = [];

        private Task<bool> EndWithGoodbyeAsync(string reason, string detail, string? say)
        {
            lock (Goodbyes)
            {
                Goodbyes.Add((reason, _clock()));
            }

            if (!_goodbyeEnds)
            {
                return new TaskCompletionSource<bool>().Task;
            }

            _registry.Remove(Id);
            return Task.FromResult(true);
        }

        private Task HangUpAsync(string reason)
        {
            lock (HangUps)
            {
                HangUps.Add(_clock());
            }

            _registry.Remove(Id);
            return Task.CompletedTask;
        }
    }

    private sealed class FlushCountingJournal : ICallJournal
    {
        private int _flushes;

        public int Flushes => Volatile.Read(ref _flushes);

        public JournalHealth Health => new(true, "memory");

        public void Append(CallEvent callEvent)
        {
        }

        public Task FlushAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _flushes);
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<CallEvent>> ReadAsync(string callId, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<CallEvent>>([]);
    }
}
