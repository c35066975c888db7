using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Switchboard.Journal;
using Switchboard.Storage.Sqlite;

namespace Switchboard.IntegrationTests.Storage;

/// <summary>
/// The database journal under failures, over a real SQLite store with faults injected into its writes: it keeps
/// retrying through any error while the database is unreachable, and when the database answers but keeps
/// refusing one event, only that event is lost rather than every later event of every call.
/// </summary>
public sealed class StoreCallJournalTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "switchboard-tests", "journal-" + Guid.NewGuid().ToString("N"));
    private readonly CapturingLogger _log = new();
    private SqliteStore? _real;

    private SqliteStore Real => _real!;

    public async Task InitializeAsync()
    {
        _real = new SqliteStore(Path.Combine(_dir, "journal.db"));
        await _real.MigrateAsync(CancellationToken.None);
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Append_StoreThrowsANonDatabaseErrorForAWhile_KeepsRetryingAndWritesEverything()
    {
        var failing = true;
        var (store, control) = FaultyStore.Wrap(Real, _ => Volatile.Read(ref failing) ? new ArgumentException("Unable to translate Unicode character") : null);
        control.PingDown = true;
        await using var journal = new StoreCallJournal(store, store, _log, TimeProvider.System);

        AppendCall(journal, "call-1", 3);
        await WaitUntilAsync(() => Volatile.Read(ref control.Refused) >= 3 && !journal.Health.Ok);
        Volatile.Write(ref failing, false);
        control.PingDown = false;
        await FlushAsync(journal);

        Assert.Equal([0L, 1L, 2L], (await Real.ReadEventsAsync("call-1", CancellationToken.None)).Select(e => e.Sequence));
        Assert.True(journal.Health.Ok);
        Assert.DoesNotContain(_log.Entries, e => e.Id == 303);
    }

    [Fact]
    public async Task Append_DatabaseUnreachableForManyAttempts_DropsNothing()
    {
        var down = true;
        var (store, control) = FaultyStore.Wrap(Real, _ => Volatile.Read(ref down) ? new InjectedDbException("connection refused") : null);
        control.PingDown = true;
        await using var journal = new StoreCallJournal(store, store, _log, TimeProvider.System);

        AppendCall(journal, "call-1", 4);
        AppendCall(journal, "call-2", 2);
        await WaitUntilAsync(() => Volatile.Read(ref control.Refused) >= 5);
        Assert.False(journal.Health.Ok);
        Volatile.Write(ref down, false);
        control.PingDown = false;
        await FlushAsync(journal);

        Assert.Equal(4, (await Real.ReadEventsAsync("call-1", CancellationToken.None)).Count);
        Assert.Equal(2, (await Real.ReadEventsAsync("call-2", CancellationToken.None)).Count);
        Assert.Equal(4, (await Real.GetCallAsync(null, "call-1", CancellationToken.None))!.EventCount);
        Assert.DoesNotContain(_log.Entries, e => e.Id == 303);
    }

    /// <summary>Issue 21: the in-memory queue is bounded; past it each dropped event is one critical line, the rest is written on recovery.</summary>
    [Fact]
    public async Task Append_QueueFullWhileTheDatabaseIsDown_DropsTheOverflowOneLogLineEach_WritesTheRestOnRecovery()
    {
        var down = true;
        var (store, control) = FaultyStore.Wrap(Real, _ => Volatile.Read(ref down) ? new InjectedDbException("connection refused") : null);
        control.PingDown = true;
        await using var journal = new StoreCallJournal(store, store, _log, TimeProvider.System, maxQueued: 4);

        AppendCall(journal, "call-1", 3);
        // The writer holds call-1's batch and retries it; the queue behind it takes four events and drops the rest.
        await WaitUntilAsync(() => Volatile.Read(ref control.Refused) >= 1);
        AppendCall(journal, "call-2", 6);
        Assert.Equal(2, _log.Entries.Count(e => e.Id == 1200));
        Volatile.Write(ref down, false);
        control.PingDown = false;
        // A flush behind a full queue is released at once, so wait for the writer to catch up instead.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await Real.ReadEventsAsync("call-2", CancellationToken.None)).Count < 4 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        await FlushAsync(journal);
        Assert.Equal(3, (await Real.ReadEventsAsync("call-1", CancellationToken.None)).Count);
        Assert.Equal([0L, 1L, 2L, 3L], (await Real.ReadEventsAsync("call-2", CancellationToken.None)).Select(e => e.Sequence));
        Assert.Equal(2, _log.Entries.Count(e => e.Id == 1200));
    }

    [Fact]
    public async Task Append_OneEventTheReachableDatabaseAlwaysRefuses_OnlyThatEventIsLost()
    {
        var (store, _) = FaultyStore.Wrap(Real, batch => batch.Any(e => e.Text == "poison") ? new InjectedDbException("value rejected") : null);
        await using var journal = new StoreCallJournal(store, store, _log, TimeProvider.System);

        AppendCall(journal, "call-1", 3, poisonSequence: 1);
        AppendCall(journal, "call-2", 2);
        await FlushAsync(journal);
        AppendCall(journal, "call-3", 2);
        await FlushAsync(journal);

        Assert.Equal([0L, 2L], (await Real.ReadEventsAsync("call-1", CancellationToken.None)).Select(e => e.Sequence));
        Assert.Equal(2, (await Real.GetCallAsync(null, "call-1", CancellationToken.None))!.EventCount);
        Assert.Equal(2, (await Real.ReadEventsAsync("call-2", CancellationToken.None)).Count);
        Assert.Equal(2, (await Real.ReadEventsAsync("call-3", CancellationToken.None)).Count);
        Assert.True(journal.Health.Ok);
        var dropped = Assert.Single(_log.Entries, e => e.Id == 303);
        Assert.Contains("call-1", dropped.Message, StringComparison.Ordinal);
    }

    private static void AppendCall(StoreCallJournal journal, string callId, int count, long poisonSequence = -1)
    {
        for (var seq = 0L; seq < count; seq++)
        {
            var type = seq == 0 ? CallEventType.CallStarted : seq == count - 1 ? CallEventType.CallEnded : CallEventType.CallerTurn;
            journal.Append(new CallEvent { CallId = callId, Sequence = seq, At = T0.AddSeconds(seq), Type = type, Text = seq == poisonSequence ? "poison" : "turn " + seq });
        }
    }

    private static async Task FlushAsync(StoreCallJournal journal)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await journal.FlushAsync(timeout.Token);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached");
            await Task.Delay(20);
        }
    }

    private sealed class InjectedDbException(string message) : DbException(message);

    private sealed class CapturingLogger : ILogger<StoreCallJournal>
    {
        private readonly List<(int Id, string Message)> _entries = [];

        public IReadOnlyList<(int Id, string Message)> Entries
        {
            get
            {
                lock (_entries)
                {
                    return [.. _entries];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_entries)
            {
                _entries.Add((eventId.Id, formatter(state, exception)));
            }
        }
    }
}
