using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Switchboard.Common;
using Switchboard.Diagnostics;

namespace Switchboard.Journal;

/// <summary>
/// The call journal in the database. Appends go to an in-memory queue that a background writer commits in
/// batches (one transaction per batch), so the audio path never waits on storage and each event is durable
/// within milliseconds of happening. When the database is down the writer keeps the batch and retries with
/// backoff, reporting itself unhealthy; calls go on, and what they append is written in order once the database is
/// back. The queue is bounded (<see cref="DefaultMaxQueued"/> events waiting, beside the batch being retried): during a
/// long outage an event that finds it full is dropped, with one critical log line per dropped event (event 1200). The
/// other exception is an event the database answers but always refuses: it is isolated and dropped (logged as critical)
/// so that it cannot hold up every later event.
/// </summary>
internal sealed partial class StoreCallJournal : ICallJournal, IAsyncDisposable
{
    private const int MaxBatch = 512;

    // Attempts (about 1.5 s of backoff) before a batch the reachable database keeps refusing is split up.
    private const int PoisonAttempts = 5;
    /// <summary>Events that may wait in memory while the database is down (about 50 MB of typical events).</summary>
    public const int DefaultMaxQueued = 100_000;

    private readonly Channel<Entry> _queue;
    private readonly ICallStore _store;
    private readonly IDatabase _database;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly string _provider;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _writer;
    private volatile JournalHealth _health;

    /// <param name="store">Where events are written.</param>
    /// <param name="database">The database, for health.</param>
    /// <param name="logger">The journal's log.</param>
    /// <param name="time">The clock.</param>
    /// <param name="maxQueued">Events that may wait in memory; a later one is dropped and logged.</param>
    public StoreCallJournal(ICallStore store, IDatabase database, ILogger<StoreCallJournal> logger, TimeProvider time, int maxQueued = DefaultMaxQueued)
    {
        _queue = Channel.CreateBounded<Entry>(new BoundedChannelOptions(maxQueued) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite }, Dropped);
        _store = store;
        _database = database;
        _logger = logger;
        _time = time;
        _provider = database.Provider;
        _health = new JournalHealth(true, _provider);
        _writer = Task.Run(WriteLoopAsync);
    }

    public JournalHealth Health => _health;

    public void Append(CallEvent callEvent) => _queue.Writer.TryWrite(new Entry(callEvent, null));

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite(new Entry(null, done)))
        {
            return;
        }

        await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<CallEvent>> ReadAsync(string callId, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        return await _store.ReadEventsAsync(callId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes what is queued, then stops (gives up retrying after 10 s of a dead database).</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        _stopping.CancelAfter(TimeSpan.FromSeconds(10));
        await _writer.ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Entry>(MaxBatch);
        var events = new List<CallEvent>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            events.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var entry))
            {
                batch.Add(entry);
                if (entry.Event is { } e)
                {
                    events.Add(e);
                }
            }

            await WriteWithRetryAsync(events).ConfigureAwait(false);
            foreach (var entry in batch)
            {
                entry.Flushed?.TrySetResult();
            }
        }
    }

    private async Task WriteWithRetryAsync(IReadOnlyList<CallEvent> events)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        for (var attempt = 1; ; attempt++)
        {
            Exception error;
            try
            {
                await _store.AppendEventsAsync(events, CancellationToken.None).ConfigureAwait(false);
                if (!_health.Ok)
                {
                    LogRecovered(_logger, _provider);
                }

                _health = new JournalHealth(true, _provider);
                return;
            }
            catch (Exception ex)
            {
                // Any failure, not only database errors: an exception escaping here would end the writer, and every
                // later event of every call would then queue in memory without ever being written.
                error = ex;
            }

            _health = new JournalHealth(false, $"{_provider}: {error.Message}");
            if (attempt == 1 || attempt % 20 == 0)
            {
                LogWriteFailed(_logger, events.Count, attempt, error.Message);
            }

            // The database answers, yet keeps refusing this batch: something in it can never be stored. Isolate it by
            // writing the events one at a time, and give up only on a single event that still fails. While the
            // database is unreachable nothing is ever given up (until shutdown).
            if (attempt >= PoisonAttempts && await DatabaseAnswersAsync().ConfigureAwait(false))
            {
                if (events.Count > 1)
                {
                    foreach (var single in events)
                    {
                        await WriteWithRetryAsync([single]).ConfigureAwait(false);
                    }

                    return;
                }

                var e = events[0];
                LogPoisonDropped(_logger, e.CallId, e.Sequence, e.Type.ToString(), error.Message);
                _health = new JournalHealth(true, _provider);
                return;
            }

            if (_stopping.IsCancellationRequested)
            {
                LogDropped(_logger, events.Count);
                return;
            }

            try
            {
                await Task.Delay(delay, _time, _stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Shutting down: one last attempt on the next iteration, then give up.
            }

            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5_000));
        }
    }

    private async Task<bool> DatabaseAnswersAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            return (await _database.PingAsync(timeout.Token).ConfigureAwait(false)).Ok;
        }
        catch (Exception)
        {
            return false;
        }
    }

    [LoggerMessage(EventId = EventIds.JournalWriteFailed, Level = LogLevel.Error, Message = "Journal write of {Count} events failed (attempt {Attempt}), retrying: {Error}")]
    private static partial void LogWriteFailed(ILogger logger, int count, int attempt, string error);

    [LoggerMessage(EventId = EventIds.JournalRecovered, Level = LogLevel.Information, Message = "Journal writes to {Provider} recovered")]
    private static partial void LogRecovered(ILogger logger, string provider);

    /// <summary>An entry the full queue refused: an event is lost (logged); a flush waiting behind it is released.</summary>
    private void Dropped(Entry entry)
    {
        if (entry.Event is { } e)
        {
            LogQueueFull(_logger, e.CallId, e.Sequence, e.Type.ToString(), _queue.Reader.Count);
        }

        entry.Flushed?.TrySetResult();
    }

    [LoggerMessage(EventId = EventIds.JournalQueueFull, Level = LogLevel.Critical,
        Message = "Journal dropped event {Sequence} ({Type}) of call {CallId}: {Queued} events already wait in memory for the database")]
    private static partial void LogQueueFull(ILogger logger, string callId, long sequence, string type, int queued);

    [LoggerMessage(EventId = EventIds.JournalDropped, Level = LogLevel.Critical, Message = "Journal gave up on {Count} events at shutdown: the database stayed unreachable")]
    private static partial void LogDropped(ILogger logger, int count);

    [LoggerMessage(EventId = EventIds.JournalPoisonDropped, Level = LogLevel.Critical, Message = "Journal dropped event {Sequence} ({Type}) of call {CallId}: the database answers but refuses to store it: {Error}")]
    private static partial void LogPoisonDropped(ILogger logger, string callId, long sequence, string type, string error);

    private readonly record struct Entry(CallEvent? Event, TaskCompletionSource? Flushed);
}
