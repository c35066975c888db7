using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Switchboard.SipConnector;

/// <summary>
/// Says whether an incoming-call webhook is the first delivery of its webhook id and of its call: in this process first
/// (concurrent redeliveries race here, not in the database), then in the durable store (redeliveries after a restart or to
/// another node). When the database cannot answer, the process's memory decides alone and the failure is logged.
/// </summary>
internal sealed class SipWebhookDeduplicator
{
    /// <summary>Ids remembered in this process; the oldest are forgotten first (the store still knows them).</summary>
    private const int MaxRemembered = 20_000;

    private static readonly TimeSpan PruneEvery = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<string, byte> _seen = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();
    private readonly ISipWebhookStore? _store;
    private readonly TimeSpan _keep;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _nextPrune;

    public SipWebhookDeduplicator(ISipWebhookStore? store, TimeSpan keep, TimeProvider time, ILogger logger)
    {
        _store = store;
        _keep = keep;
        _time = time;
        _logger = logger;
    }

    /// <summary>True for the first delivery of <paramref name="webhookId"/> bringing a call not seen before; false for a redelivery.</summary>
    public async Task<bool> IsFirstAsync(string webhookId, string callId, CancellationToken cancellationToken)
    {
        var webhookKey = "w:" + webhookId;
        if (!_seen.TryAdd(webhookKey, 0))
        {
            return false;
        }

        Remember(webhookKey);
        var callKey = "c:" + callId;
        if (!_seen.TryAdd(callKey, 0))
        {
            return false;
        }

        Remember(callKey);
        if (_store is null)
        {
            return true;
        }

        var now = _time.GetUtcNow();
        try
        {
            var first = await _store.TryRecordIncomingCallAsync(webhookId, callId, now, cancellationToken).ConfigureAwait(false);
            if (now.UtcTicks >= Interlocked.Read(ref _nextPrune))
            {
                Interlocked.Exchange(ref _nextPrune, (now + PruneEvery).UtcTicks);
                await _store.PruneSipWebhooksAsync(now - _keep, cancellationToken).ConfigureAwait(false);
            }

            return first;
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or TimeoutException or IOException)
        {
            SipLog.DeduplicationStoreFailed(_logger, ex.GetType().Name, ex.Message);
            return true;
        }
    }

    private void Remember(string key)
    {
        _order.Enqueue(key);
        while (_order.Count > MaxRemembered && _order.TryDequeue(out var oldest))
        {
            _seen.TryRemove(oldest, out _);
        }
    }
}
