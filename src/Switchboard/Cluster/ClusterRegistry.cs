using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Switchboard.Configuration;

namespace Switchboard.Cluster;

/// <summary>
/// This node's view of the cluster registry in Redis (docs/cluster.md): its own lease and facts, the entries of its live calls
/// (written as they start and end, and re-written by every renewal so an outage or a Redis restart is reconciled), look-ups
/// of any node's calls, the reaper's claim and clean-up of a dead node, and the per-node pub/sub channel. Redis failures
/// surface as <see cref="RedisException"/> or <see cref="TimeoutException"/> (or a null database) to the caller, which
/// decides; registering and unregistering a call never waits on Redis.
/// </summary>
internal sealed class ClusterRegistry
{
    // KEYS: nodes, facts, calls, node-calls. ARGV: lease ms, node, state, url, started, count, then call id / entry pairs.
    // Writes the lease and facts, re-writes this node's entries, drops the ones of its own that are no longer live.
    private const string RenewScript = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local lease = tonumber(ARGV[1])
        redis.call('ZADD', KEYS[1], now + lease, ARGV[2])
        redis.call('HSET', KEYS[2], 'state', ARGV[3], 'url', ARGV[4], 'started', ARGV[5], 'calls', ARGV[6])
        redis.call('PEXPIRE', KEYS[2], lease * 4)
        local keep = {}
        for i = 7, #ARGV, 2 do
          redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1])
          redis.call('SADD', KEYS[4], ARGV[i])
          keep[ARGV[i]] = true
        end
        local removed = 0
        for _, id in ipairs(redis.call('SMEMBERS', KEYS[4])) do
          if not keep[id] then
            redis.call('SREM', KEYS[4], id)
            redis.call('HDEL', KEYS[3], id)
            removed = removed + 1
          end
        end
        return removed
        """;

    // KEYS: nodes. Returns the ids and expiries of every node, and Redis server time (ms) last.
    private const string NodesScript = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local all = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
        table.insert(all, tostring(now))
        return all
        """;

    // KEYS: nodes, facts, calls, node-calls. ARGV: node. Clears a dead node's registry unless its lease is current again (it
    // restarted with the same id: its entries are its own again). Returns the number of entries removed, or -1.
    private const string ClearScript = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
        if score and tonumber(score) > now then
          return -1
        end
        local ids = redis.call('SMEMBERS', KEYS[4])
        for _, id in ipairs(ids) do
          redis.call('HDEL', KEYS[3], id)
        end
        redis.call('DEL', KEYS[4], KEYS[2])
        redis.call('ZREM', KEYS[1], ARGV[1])
        return #ids
        """;

    private readonly RedisConnection _redis;
    private readonly ILogger<ClusterRegistry> _log;
    private readonly ConcurrentDictionary<string, ClusterCall> _local = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<ClusterMessage>> _pending = new(StringComparer.Ordinal);
    private readonly string _started;
    private int _renewing;
    private volatile bool _subscribed;

    public ClusterRegistry(RedisConnection redis, IOptions<SwitchboardOptions> options, TimeProvider time, ILogger<ClusterRegistry> log)
    {
        _redis = redis;
        _log = log;
        NodeId = options.Value.Node.Id;
        LeaseSeconds = options.Value.Redis.EffectiveLeaseSeconds;
        Url = options.Value.PublicBaseUrl ?? "";
        _started = time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
    }

    /// <summary>Whether shared state (Redis) is configured; without it the registry is never used.</summary>
    public bool Enabled => _redis.Enabled;

    public string NodeId { get; }

    /// <summary>The lease length (<c>Switchboard:Redis:LeaseSeconds</c>).</summary>
    public int LeaseSeconds { get; }

    /// <summary>This node's public URL, when configured (a node fact, for operators).</summary>
    public string Url { get; }

    /// <summary>Whether Redis is connected right now (false during an outage).</summary>
    public bool Reachable => _redis.IsConnected;

    /// <summary>Calls this node has registered and not yet unregistered.</summary>
    public int LocalCount => _local.Count;

    /// <summary>Whether this node's channel is subscribed (the renewal retries until it is).</summary>
    public bool Listening => _subscribed;

    /// <summary>Records a call that went live here, in Redis at once when connected (else at the next renewal).</summary>
    public void Register(ClusterCall call)
    {
        _local[call.CallId] = call;
        if (ConnectedDatabase() is { } db)
        {
            try
            {
                var json = JsonSerializer.Serialize(call, ClusterJsonContext.Default.ClusterCall);
                db.HashSet(ClusterKeys.Calls, call.CallId, json, flags: CommandFlags.FireAndForget);
                db.SetAdd(ClusterKeys.NodeCalls(NodeId), call.CallId, CommandFlags.FireAndForget);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
            {
                // The next renewal writes it.
            }
        }
    }

    /// <summary>Forgets a call that ended here; removed from Redis at once when connected (else by the next renewal's reconcile).</summary>
    public void Unregister(string callId)
    {
        if (!_local.TryRemove(callId, out _))
        {
            return;
        }

        Remove(callId);
    }

    private void Remove(string callId)
    {
        if (ConnectedDatabase() is { } db)
        {
            try
            {
                db.HashDelete(ClusterKeys.Calls, callId, CommandFlags.FireAndForget);
                db.SetRemove(ClusterKeys.NodeCalls(NodeId), callId, CommandFlags.FireAndForget);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
            {
                // The next renewal's reconcile removes it.
            }
        }
    }

    private IDatabase? ConnectedDatabase() =>
        _redis.IsConnected && _redis.DatabaseAsync() is { IsCompletedSuccessfully: true, Result: { } db } ? db : null;

    /// <summary>
    /// Renews this node's lease with its facts, re-writes its calls' entries and drops its stale ones (the renewal timer's
    /// work). Returns the number of stale entries removed; throws on a Redis failure; false-y (-1) when Redis is unreachable.
    /// </summary>
    public async Task<int> RenewAsync(string state)
    {
        if (Interlocked.Exchange(ref _renewing, 1) != 0)
        {
            return 0;
        }

        try
        {
            var db = await _redis.DatabaseAsync().ConfigureAwait(false);
            if (db is null)
            {
                return -1;
            }

            var calls = _local.Values.ToArray();
            var args = new RedisValue[6 + calls.Length * 2];
            args[0] = LeaseSeconds * 1000L;
            args[1] = NodeId;
            args[2] = state;
            args[3] = Url;
            args[4] = _started;
            args[5] = calls.Length;
            for (var i = 0; i < calls.Length; i++)
            {
                args[6 + i * 2] = calls[i].CallId;
                args[7 + i * 2] = JsonSerializer.Serialize(calls[i], ClusterJsonContext.Default.ClusterCall);
            }

            RedisKey[] keys = [ClusterKeys.Nodes, ClusterKeys.Facts(NodeId), ClusterKeys.Calls, ClusterKeys.NodeCalls(NodeId)];
            var removed = (int)await db.ScriptEvaluateAsync(RenewScript, keys, args).ConfigureAwait(false);

            // A call that ended while the renewal was in flight was written again after its removal: remove it again.
            foreach (var call in calls)
            {
                if (!_local.ContainsKey(call.CallId))
                {
                    Remove(call.CallId);
                }
            }

            if (!_subscribed)
            {
                await SubscribeAsync(db.Multiplexer).ConfigureAwait(false);
            }

            return removed;
        }
        finally
        {
            Volatile.Write(ref _renewing, 0);
        }
    }

    /// <summary>Removes this node's lease and facts (a graceful stop, once its calls have ended); failures are ignored.</summary>
    public async Task LeaveAsync()
    {
        try
        {
            if (ConnectedDatabase() is { } db)
            {
                await db.SortedSetRemoveAsync(ClusterKeys.Nodes, NodeId).ConfigureAwait(false);
                await db.KeyDeleteAsync(ClusterKeys.Facts(NodeId)).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            // The lease expires; the registry holds no call of this node's any more (or a reaper closes it harmlessly).
        }
    }

    /// <summary>Every node the registry knows, with its lease state and facts; null when Redis is unreachable.</summary>
    public async Task<IReadOnlyList<ClusterMember>?> NodesAsync()
    {
        var db = await _redis.DatabaseAsync().ConfigureAwait(false);
        if (db is null)
        {
            return null;
        }

        var result = (RedisResult[])(await db.ScriptEvaluateAsync(NodesScript, [ClusterKeys.Nodes]).ConfigureAwait(false))!;
        var now = (long)result[^1];
        var nodes = new List<ClusterMember>((result.Length - 1) / 2);
        for (var i = 0; i + 1 < result.Length - 1; i += 2)
        {
            var id = (string)result[i]!;
            var expires = (long)(double)result[i + 1];
            var facts = await db.HashGetAllAsync(ClusterKeys.Facts(id)).ConfigureAwait(false);
            nodes.Add(Node(id, expires, now, facts));
        }

        return nodes;
    }

    internal static ClusterMember Node(string id, long expiresMs, long nowMs, HashEntry[] facts)
    {
        string? Fact(string name) => facts.FirstOrDefault(f => f.Name == name).Value is { IsNullOrEmpty: false } v ? v.ToString() : null;
        return new ClusterMember
        {
            Id = id,
            Live = expiresMs > nowMs,
            State = Fact("state"),
            Url = Fact("url"),
            Started = DateTimeOffset.TryParse(Fact("started"), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var started) ? started : null,
            Calls = int.TryParse(Fact("calls"), NumberStyles.None, CultureInfo.InvariantCulture, out var calls) ? calls : 0,
            LeaseExpires = DateTimeOffset.FromUnixTimeMilliseconds(expiresMs),
        };
    }

    /// <summary>Whether <paramref name="nodeId"/> holds a current lease; null when Redis is unreachable.</summary>
    public async Task<bool?> IsLiveAsync(string nodeId)
    {
        var nodes = await NodesAsync().ConfigureAwait(false);
        return nodes?.Any(n => n.Id == nodeId && n.Live);
    }

    /// <summary>The registry entry of <paramref name="callId"/> (any node's); null when unknown or Redis is unreachable.</summary>
    public async Task<ClusterCall?> FindAsync(string callId)
    {
        var db = await _redis.DatabaseAsync().ConfigureAwait(false);
        var json = db is null ? RedisValue.Null : await db.HashGetAsync(ClusterKeys.Calls, callId).ConfigureAwait(false);
        return json.IsNullOrEmpty ? null : Parse(json);
    }

    /// <summary>Every registered live call of <paramref name="teamId"/> on any node; null when Redis is unreachable.</summary>
    public async Task<IReadOnlyList<ClusterCall>?> ListAsync(Guid teamId)
    {
        var db = await _redis.DatabaseAsync().ConfigureAwait(false);
        if (db is null)
        {
            return null;
        }

        var calls = new List<ClusterCall>();
        foreach (var entry in await db.HashGetAllAsync(ClusterKeys.Calls).ConfigureAwait(false))
        {
            if (Parse(entry.Value) is { } call && call.TeamId == teamId)
            {
                calls.Add(call);
            }
        }

        return calls;
    }

    /// <summary>The registered calls of <paramref name="nodeId"/> (what a reaper hangs up at the carrier).</summary>
    public async Task<IReadOnlyList<ClusterCall>> CallsOfAsync(string nodeId)
    {
        var db = await _redis.DatabaseAsync().ConfigureAwait(false);
        if (db is null)
        {
            return [];
        }

        var ids = await db.SetMembersAsync(ClusterKeys.NodeCalls(nodeId)).ConfigureAwait(false);
        if (ids.Length == 0)
        {
            return [];
        }

        var values = await db.HashGetAsync(ClusterKeys.Calls, ids).ConfigureAwait(false);
        return values.Where(v => !v.IsNullOrEmpty).Select(v => Parse(v)).OfType<ClusterCall>().ToList();
    }

    /// <summary>Takes the right to reap <paramref name="nodeId"/> for one lease length; false when another node holds it.</summary>
    public async Task<bool> TryClaimAsync(string nodeId)
    {
        var db = await _redis.DatabaseAsync().ConfigureAwait(false);
        return db is not null && await db.LockTakeAsync(ClusterKeys.ReapClaim(nodeId), NodeId, TimeSpan.FromSeconds(LeaseSeconds)).ConfigureAwait(false);
    }

    /// <summary>
    /// Renews this node's claim on reaping <paramref name="nodeId"/> for another lease, only while it still holds it (a
    /// reap that hangs up carrier calls by REST can outlast one lease, and a second node must not start the same reap).
    /// False when the claim was lost or Redis is unavailable.
    /// </summary>
    public async Task<bool> ExtendClaimAsync(string nodeId)
    {
        var db = await _redis.DatabaseAsync().ConfigureAwait(false);
        return db is not null && await db.LockExtendAsync(ClusterKeys.ReapClaim(nodeId), NodeId, TimeSpan.FromSeconds(LeaseSeconds)).ConfigureAwait(false);
    }

    /// <summary>Clears a reaped node's registry (entries, facts, lease) unless it holds a current lease again; -1 then.</summary>
    public async Task<int> ClearNodeAsync(string nodeId)
    {
        var db = await _redis.DatabaseAsync().ConfigureAwait(false);
        if (db is null)
        {
            return -1;
        }

        RedisKey[] keys = [ClusterKeys.Nodes, ClusterKeys.Facts(nodeId), ClusterKeys.Calls, ClusterKeys.NodeCalls(nodeId)];
        return (int)await db.ScriptEvaluateAsync(ClearScript, keys, [nodeId]).ConfigureAwait(false);
    }

    private ClusterCall? Parse(RedisValue json)
    {
        try
        {
            return JsonSerializer.Deserialize((string)json!, ClusterJsonContext.Default.ClusterCall);
        }
        catch (JsonException)
        {
            ClusterLog.BadEntry(_log);
            return null;
        }
    }

    /// <summary>What this node does with a command forwarded to it (set once at start-up, before the channel is subscribed).</summary>
    public Func<ClusterMessage, Task<ClusterMessage>>? CommandHandler { get; set; }

    private async Task SubscribeAsync(IConnectionMultiplexer multiplexer)
    {
        // StackExchange.Redis re-subscribes by itself after a reconnect; only the first subscription is ours to retry.
        await multiplexer.GetSubscriber().SubscribeAsync(RedisChannel.Literal(ClusterKeys.Channel(NodeId)), (channel, message) => _ = OnMessageAsync(message))
            .ConfigureAwait(false);
        _subscribed = true;
    }

    private async Task OnMessageAsync(RedisValue payload)
    {
        ClusterMessage? message;
        try
        {
            message = JsonSerializer.Deserialize((string)payload!, ClusterJsonContext.Default.ClusterMessage);
        }
        catch (JsonException)
        {
            message = null;
        }

        if (message is null || string.IsNullOrEmpty(message.RequestId))
        {
            ClusterLog.BadMessage(_log);
            return;
        }

        if (message.Type == ClusterMessage.ReplyType)
        {
            if (_pending.TryRemove(message.RequestId, out var waiting))
            {
                waiting.TrySetResult(message);
            }

            return;
        }

        if (CommandHandler is not { } handler || string.IsNullOrEmpty(message.From))
        {
            ClusterLog.BadMessage(_log);
            return;
        }

        try
        {
            var reply = await handler(message).ConfigureAwait(false);
            await PublishAsync(message.From, reply with { Type = ClusterMessage.ReplyType, RequestId = message.RequestId, From = NodeId }).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            ClusterLog.ReplyFailed(_log, message.RequestId, message.From, RedisConnection.Describe(ex));
        }
    }

    private async Task PublishAsync(string nodeId, ClusterMessage message)
    {
        var db = await _redis.DatabaseAsync().ConfigureAwait(false);
        if (db is null)
        {
            ClusterLog.ReplyFailed(_log, message.RequestId, nodeId, "unreachable");
            return;
        }

        await db.PublishAsync(RedisChannel.Literal(ClusterKeys.Channel(nodeId)), JsonSerializer.Serialize(message, ClusterJsonContext.Default.ClusterMessage))
            .ConfigureAwait(false);
    }

    /// <summary>
    /// Sends <paramref name="command"/> to <paramref name="nodeId"/> and waits for its reply; null when none came within
    /// <paramref name="timeout"/>, nobody listens on its channel, or Redis is unreachable. Throws on a Redis failure.
    /// </summary>
    public async Task<ClusterMessage?> SendAsync(string nodeId, ClusterMessage command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var requestId = Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture);
        var waiting = new TaskCompletionSource<ClusterMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[requestId] = waiting;
        try
        {
            var db = await _redis.DatabaseAsync().ConfigureAwait(false);
            if (db is null)
            {
                return null;
            }

            if (!_subscribed)
            {
                await SubscribeAsync(db.Multiplexer).ConfigureAwait(false);
            }

            var receivers = await db.PublishAsync(RedisChannel.Literal(ClusterKeys.Channel(nodeId)),
                JsonSerializer.Serialize(command with { RequestId = requestId, From = NodeId }, ClusterJsonContext.Default.ClusterMessage)).ConfigureAwait(false);
            if (receivers == 0)
            {
                return null;
            }

            return await waiting.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!waiting.Task.IsCompleted)
        {
            return null;
        }
        finally
        {
            _pending.TryRemove(requestId, out _);
        }
    }
}
