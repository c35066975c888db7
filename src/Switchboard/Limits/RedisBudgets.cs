using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Switchboard.Cluster;
using Switchboard.Configuration;
using Switchboard.Diagnostics;

namespace Switchboard.Limits;

/// <summary>
/// Daily budgets counted across nodes: each budget scope's day is one Redis hash whose fields are the live calls of every
/// node (<c>node:lease</c> → start, cost so far, lease expiry, in Redis server time). Once a second this node writes its own
/// calls there (renewing their leases, re-adding any Redis lost) and reads the other nodes' into the scope
/// (<see cref="UsageScope.SetOthers"/>); every few seconds it re-reads the finished calls of every node from the shared
/// store. A dead node's calls drop out when their leases expire. The budget rule itself stays where it is (admission and
/// <c>CallBridge.Limits</c>), reading <see cref="UsageScope.Used"/>.
/// </summary>
internal sealed partial class RedisBudgets : IDisposable
{
    /// <summary>How often live usage is exchanged.</summary>
    public static readonly TimeSpan SyncInterval = TimeSpan.FromSeconds(1);

    /// <summary>How old the finished calls read from the store may be before they are read again.</summary>
    public static readonly TimeSpan FinishedRefresh = TimeSpan.FromSeconds(5);

    // KEYS[1]: a scope-day's hash. ARGV[1]: this node's member prefix, ARGV[2]: lease ms, then (member, elapsed ms, cost)
    // per own live call. Writes the own calls, drops expired ones, returns the others' {count, live ms, cost}.
    private const string SyncScript = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local prefix = ARGV[1]
        local lease = tonumber(ARGV[2])
        for i = 3, #ARGV, 3 do
          local start = now - tonumber(ARGV[i + 1])
          redis.call('HSET', KEYS[1], ARGV[i], string.format('%d|%s|%d', start, ARGV[i + 2], now + lease))
        end
        if #ARGV >= 3 then
          redis.call('PEXPIRE', KEYS[1], lease * 2)
        end
        local all = redis.call('HGETALL', KEYS[1])
        local count, ms, cost = 0, 0, 0
        for j = 1, #all, 2 do
          local s, c, e = string.match(all[j + 1], '^([^|]+)|([^|]+)|([^|]+)$')
          s = tonumber(s)
          c = tonumber(c)
          e = tonumber(e)
          if s == nil or c == nil or e == nil or e <= now then
            redis.call('HDEL', KEYS[1], all[j])
          elseif string.sub(all[j], 1, #prefix) ~= prefix then
            count = count + 1
            ms = ms + math.max(0, now - s)
            cost = cost + c
          end
        end
        return {count, tostring(ms), tostring(cost)}
        """;

    private static readonly TimeSpan LogWindow = TimeSpan.FromSeconds(10);

    private readonly RedisConnection _redis;
    private readonly UsageLedger _ledger;
    private readonly TimeProvider _time;
    private readonly ILogger<RedisBudgets> _log;
    private readonly string _nodeId;
    private readonly string _prefix;
    private readonly long _leaseMs;
    private readonly ConcurrentDictionary<string, Share> _live = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<UsageScope, long> _scopes = new();
    private readonly ITimer _timer;
    private long _nextFailureLine = long.MinValue;
    private int _syncing;

    public RedisBudgets(RedisConnection redis, UsageLedger ledger, IOptions<SwitchboardOptions> options, TimeProvider time, ILogger<RedisBudgets> log)
    {
        _redis = redis;
        _ledger = ledger;
        _time = time;
        _log = log;
        _nodeId = options.Value.Node.Id;
        _prefix = _nodeId + ":";
        _leaseMs = options.Value.Redis.EffectiveLeaseSeconds * 1000L;
        _timer = time.CreateTimer(_ => _ = SyncAllAsync(), null, SyncInterval, SyncInterval);
    }

    /// <summary>The Redis key of a scope's day (the hash tag keeps a budget's keys together in a Redis cluster).</summary>
    public static string RedisKey(UsageScope scope) =>
        "switchboard:{budgets}:" + scope.Key + ":" + scope.DayStart.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>A call joins its budgets' shared counts; returns the member it is counted under.</summary>
    public string Join(IReadOnlyList<CallBudget> budgets, long startTimestamp)
    {
        var member = SlotLeaseMath.Member(_nodeId, Guid.NewGuid());
        var scopes = budgets.Select(b => b.Scope).ToArray();
        _live[member] = new Share(scopes, startTimestamp);
        foreach (var scope in scopes)
        {
            _scopes[scope] = _time.GetTimestamp();
        }

        return member;
    }

    /// <summary>The call's cost so far (sent with the next exchange).</summary>
    public void SetCost(string member, double totalUsd)
    {
        if (_live.TryGetValue(member, out var share))
        {
            share.CostUsd = totalUsd;
        }
    }

    /// <summary>The call ended: it leaves the shared counts at once (its usage is in the store from now on).</summary>
    public void Leave(string member)
    {
        if (!_live.TryRemove(member, out var share))
        {
            return;
        }

        try
        {
            if (_redis.IsConnected && _redis.DatabaseAsync() is { IsCompletedSuccessfully: true, Result: { } db })
            {
                foreach (var scope in share.Scopes)
                {
                    db.HashDelete(RedisKey(scope), member, CommandFlags.FireAndForget);
                }
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            // Its lease expires on its own.
        }
    }

    /// <summary>
    /// Brings <paramref name="scope"/> up to date before admission: the finished calls re-read from the store (a call that
    /// just ended on another node has left Redis and is only there), the other nodes' live calls read now. False when
    /// Redis could not be asked (the outage policy decides).
    /// </summary>
    public async Task<bool> RefreshAsync(UsageScope scope, CancellationToken cancellationToken)
    {
        _scopes[scope] = _time.GetTimestamp();
        await _ledger.RefreshFinishedAsync(scope, cancellationToken).ConfigureAwait(false);

        return await SyncAsync(scope, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One exchange for every scope this node has live calls in or admitted to lately (the timer's work).</summary>
    internal async Task SyncAllAsync()
    {
        if (_scopes.IsEmpty || Interlocked.Exchange(ref _syncing, 1) != 0)
        {
            return;
        }

        try
        {
            var inUse = _live.Values.SelectMany(s => s.Scopes).ToHashSet();
            foreach (var (scope, lastUse) in _scopes)
            {
                // A scope with no live call here is still followed for a minute (admissions come in bursts), then dropped.
                if (!inUse.Contains(scope) && _time.GetElapsedTime(lastUse) > TimeSpan.FromMinutes(1))
                {
                    _scopes.TryRemove(scope, out _);
                    continue;
                }

                if (scope.SinceFinishedRead >= FinishedRefresh)
                {
                    try
                    {
                        await _ledger.RefreshFinishedAsync(scope, CancellationToken.None).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        // The store is having trouble: keep the previous figures and try again next round.
                        LogStoreReadFailed(_log, scope.Key, ex.GetType().Name);
                    }
                }

                await SyncAsync(scope, CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            Volatile.Write(ref _syncing, 0);
        }
    }

    private async Task<bool> SyncAsync(UsageScope scope, CancellationToken cancellationToken)
    {
        var args = new List<RedisValue> { _prefix, _leaseMs };
        var now = _time.GetTimestamp();
        foreach (var (member, share) in _live)
        {
            if (Array.IndexOf(share.Scopes, scope) >= 0)
            {
                args.Add(member);
                args.Add((long)_time.GetElapsedTime(share.Start, now).TotalMilliseconds);
                args.Add(share.CostUsd.ToString("R", CultureInfo.InvariantCulture));
            }
        }

        try
        {
            var db = await _redis.DatabaseAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            if (db is null)
            {
                Failed(scope, "unreachable");
                return false;
            }

            var result = (RedisResult[])(await db.ScriptEvaluateAsync(SyncScript, [RedisKey(scope)], [.. args]).WaitAsync(cancellationToken).ConfigureAwait(false))!;
            scope.SetOthers((int)result[0],
                double.Parse((string)result[1]!, CultureInfo.InvariantCulture) / 1000,
                double.Parse((string)result[2]!, CultureInfo.InvariantCulture));
            return true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            Failed(scope, RedisConnection.Describe(ex));
            return false;
        }
    }

    /// <summary>No answer: the other nodes' calls are frozen at their last report; logged at most every 10 s.</summary>
    private void Failed(UsageScope scope, string failure)
    {
        scope.FreezeOthers();
        var now = _time.GetTimestamp();
        var next = Interlocked.Read(ref _nextFailureLine);
        if (now >= next && Interlocked.CompareExchange(ref _nextFailureLine, now + (long)(LogWindow.TotalSeconds * _time.TimestampFrequency), next) == next)
        {
            LogSyncFailed(_log, failure);
        }
    }

    public void Dispose() => _timer.Dispose();

    [LoggerMessage(EventId = EventIds.BudgetSyncFailed, Level = LogLevel.Warning,
        Message = "Redis unreachable ({Failure}) for the shared daily budgets: other nodes' live calls count as last reported")]
    private static partial void LogSyncFailed(ILogger logger, string failure);

    [LoggerMessage(EventId = EventIds.BudgetStoreReadFailed, Level = LogLevel.Warning,
        Message = "re-reading the finished calls of budget scope {Scope} failed ({Failure}); the previous figures stand")]
    private static partial void LogStoreReadFailed(ILogger logger, string scope, string failure);

    /// <summary>One live call of this node: the scopes it counts in, its start and its cost so far.</summary>
    private sealed class Share(UsageScope[] scopes, long start)
    {
        public UsageScope[] Scopes { get; } = scopes;

        public long Start { get; } = start;

        public double CostUsd
        {
            get => Volatile.Read(ref _cost);
            set => Volatile.Write(ref _cost, value);
        }

        private double _cost;
    }
}
