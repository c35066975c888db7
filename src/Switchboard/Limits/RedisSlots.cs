using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Switchboard.Cluster;
using Switchboard.Configuration;

namespace Switchboard.Limits;

/// <summary>
/// The team and endpoint caps counted across nodes: one sorted set per slot key in Redis, member = node:lease, score = the
/// lease's expiry in Redis server time. Taking slots is one Lua script (drop expired members, check every cap, then add to
/// all or none); a timer renews this node's leases every third of the lease; a release removes them. A node that dies stops
/// renewing, so its slots free themselves when its leases expire.
/// </summary>
internal sealed class RedisSlots : IDisposable
{
    // KEYS: the slot sets. ARGV[1]: lease ms, ARGV[2]: member, ARGV[2+i]: cap of KEYS[i]. Returns 0, or the index of the full key.
    private const string AcquireScript = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local lease = tonumber(ARGV[1])
        for i, key in ipairs(KEYS) do
          redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
          if redis.call('ZCARD', key) >= tonumber(ARGV[2 + i]) then
            return i
          end
        end
        for _, key in ipairs(KEYS) do
          redis.call('ZADD', key, now + lease, ARGV[2])
          redis.call('PEXPIRE', key, lease * 2)
        end
        return 0
        """;

    // KEYS: one call's slot sets; ARGV[1]: lease ms, ARGV[2]: member. Re-adds a lease Redis lost (a restart) rather than
    // dropping a running call's slot: the count is reconciled with the calls that really run.
    private const string RenewScript = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local lease = tonumber(ARGV[1])
        for _, key in ipairs(KEYS) do
          redis.call('ZADD', key, now + lease, ARGV[2])
          redis.call('PEXPIRE', key, lease * 2)
        end
        return 0
        """;

    private readonly RedisConnection _redis;
    private readonly ILogger<RedisSlots> _log;
    private readonly string _nodeId;
    private readonly int _leaseSeconds;
    private readonly ConcurrentDictionary<string, RedisKey[]> _held = new(StringComparer.Ordinal);
    private readonly ITimer _renewal;
    private int _renewing;

    public RedisSlots(RedisConnection redis, IOptions<SwitchboardOptions> options, TimeProvider time, ILogger<RedisSlots> log)
    {
        _redis = redis;
        _log = log;
        _nodeId = options.Value.Node.Id;
        _leaseSeconds = options.Value.Redis.EffectiveLeaseSeconds;
        LocalFallback = options.Value.Redis.OutagePolicy == RedisOptions.LocalPolicy;
        var period = SlotLeaseMath.RenewalInterval(_leaseSeconds);
        _renewal = time.CreateTimer(_ => _ = RenewAsync(), null, period, period);
    }

    /// <summary>Whether the outage policy is <c>local</c> (count per node while Redis is unreachable) rather than <c>refuse</c>.</summary>
    public bool LocalFallback { get; }

    /// <summary>The policy's name, for logs.</summary>
    public string Policy => LocalFallback ? RedisOptions.LocalPolicy : RedisOptions.RefusePolicy;

    /// <summary>Leases this node holds now.</summary>
    public int Held => _held.Count;

    /// <summary>Takes one slot under each of <paramref name="slots"/> (all capped) in Redis, or none.</summary>
    public async Task<SharedAcquisition> TryAcquireAsync(IReadOnlyList<(string Key, int Cap)> slots, CancellationToken cancellationToken)
    {
        var keys = new RedisKey[slots.Count];
        var args = new RedisValue[slots.Count + 2];
        var member = SlotLeaseMath.Member(_nodeId, Guid.NewGuid());
        args[0] = _leaseSeconds * 1000L;
        args[1] = member;
        for (var i = 0; i < slots.Count; i++)
        {
            keys[i] = SlotLeaseMath.RedisKey(slots[i].Key);
            args[i + 2] = slots[i].Cap;
        }

        try
        {
            var db = await _redis.DatabaseAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            if (db is null)
            {
                RedisLog.SlotsUnavailable(_log, "unreachable", Policy);
                return new SharedAcquisition(SharedOutcome.Unavailable, null, null, "unreachable");
            }

            var full = (int)await db.ScriptEvaluateAsync(AcquireScript, keys, args).WaitAsync(cancellationToken).ConfigureAwait(false);
            if (full > 0)
            {
                return new SharedAcquisition(SharedOutcome.Full, slots[full - 1].Key, null);
            }

            _held[member] = keys;
            return new SharedAcquisition(SharedOutcome.Acquired, null, new Lease(this, member));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // A timed-out script may still have run: its lease is not renewed, so it expires on its own.
            var failure = RedisConnection.Describe(ex);
            RedisLog.SlotsUnavailable(_log, failure, Policy);
            return new SharedAcquisition(SharedOutcome.Unavailable, null, null, failure);
        }
    }

    private void Release(string member)
    {
        if (!_held.TryRemove(member, out var keys))
        {
            return;
        }

        try
        {
            // Fire and forget: the call is over either way; a removal lost to an outage expires with its lease.
            if (_redis.IsConnected && _redis.DatabaseAsync() is { IsCompletedSuccessfully: true, Result: { } db })
            {
                foreach (var key in keys)
                {
                    db.SortedSetRemove(key, member, CommandFlags.FireAndForget);
                }
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            // Same: the lease expires.
        }
    }

    /// <summary>Extends every lease this node holds (the timer's work; tests call it directly).</summary>
    internal async Task RenewAsync()
    {
        if (_held.IsEmpty || Interlocked.Exchange(ref _renewing, 1) != 0)
        {
            return;
        }

        try
        {
            var db = await _redis.DatabaseAsync().ConfigureAwait(false);
            if (db is null)
            {
                RedisLog.RenewalFailed(_log, _held.Count, "unreachable");
                return;
            }

            var lease = (RedisValue)(_leaseSeconds * 1000L);
            var renewed = _held.ToArray();
            await Task.WhenAll(renewed.Select(h => db.ScriptEvaluateAsync(RenewScript, h.Value, [lease, h.Key]))).ConfigureAwait(false);
            // A call that ended while its renewal was in flight may have been re-added after its removal: remove it again.
            foreach (var (member, keys) in renewed)
            {
                if (!_held.ContainsKey(member))
                {
                    foreach (var key in keys)
                    {
                        db.SortedSetRemove(key, member, CommandFlags.FireAndForget);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            // ObjectDisposedException: the node is stopping and its connection is closed; the leases expire.
            RedisLog.RenewalFailed(_log, _held.Count, RedisConnection.Describe(ex));
        }
        finally
        {
            Volatile.Write(ref _renewing, 0);
        }
    }

    public void Dispose() => _renewal.Dispose();

    private sealed class Lease(RedisSlots owner, string member) : IDisposable
    {
        private RedisSlots? _owner = owner;

        public void Dispose() => Interlocked.Exchange(ref _owner, null)?.Release(member);
    }
}
