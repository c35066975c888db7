using System.Globalization;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Switchboard.Cluster;
using Switchboard.Configuration;

namespace Switchboard.Telegram;

/// <summary>
/// The bridge's call surface in Redis (on only with <c>Switchboard:Redis</c>), so every node decides on the same state: a hash
/// <c>switchboard:{cluster}:telegram:&lt;bridge&gt;</c> (armed, idle since, bound thread) and the one-live-call lease
/// <c>…:lease</c>, taken with <c>SET NX PX</c> for the page's connect window, made live (and renewed) by the node that runs the
/// call, deleted when the call ends, and freed by expiry when that node dies. Every write that depends on the current lease is
/// one Lua script. Failures surface as <see cref="RedisException"/>; <see cref="CallSurface"/> decides what they mean.
/// </summary>
internal sealed class RedisTelegramState : IDisposable
{
    // KEYS[1]: lease; ARGV[1]: "<session>|P|" (a prepared lease of that session), ARGV[2]: live value, ARGV[3]: lease ms.
    private const string GoLiveScript = """
        local current = redis.call('GET', KEYS[1])
        if current and string.sub(current, 1, #ARGV[1]) == ARGV[1] then
          redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
          return 1
        end
        return 0
        """;

    // KEYS[1]: lease; ARGV[1]: "<session>|L|", ARGV[2]: live value, ARGV[3]: lease ms. Re-adds a lease Redis lost (a restart).
    private const string RenewScript = """
        local current = redis.call('GET', KEYS[1])
        if current == false then
          redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
          return 1
        end
        if string.sub(current, 1, #ARGV[1]) == ARGV[1] then
          redis.call('PEXPIRE', KEYS[1], ARGV[3])
          return 1
        end
        return 0
        """;

    // KEYS[1]: lease, KEYS[2]: surface hash; ARGV[1]: "<session>|", ARGV[2]: now ms. Deletes the session's lease; the idle clock restarts.
    private const string ReleaseScript = """
        local current = redis.call('GET', KEYS[1])
        if current and string.sub(current, 1, #ARGV[1]) == ARGV[1] then
          redis.call('DEL', KEYS[1])
          redis.call('HSET', KEYS[2], 'idleSince', ARGV[2])
          return 1
        end
        return 0
        """;

    // KEYS[1]: surface hash, KEYS[2]: lease; ARGV[1]: idle-since limit ms. One node wins the auto-disarm (and announces it).
    private const string AutoDisarmScript = """
        if redis.call('HGET', KEYS[1], 'armed') ~= '1' or redis.call('EXISTS', KEYS[2]) == 1 then
          return 0
        end
        local idle = tonumber(redis.call('HGET', KEYS[1], 'idleSince') or '0')
        if idle > tonumber(ARGV[1]) then
          return 0
        end
        redis.call('HSET', KEYS[1], 'armed', '0')
        return 1
        """;

    private readonly RedisConnection _redis;
    private readonly RedisKey _surfaceKey;
    private readonly RedisKey _leaseKey;
    private readonly RedisChannel _channel;
    private readonly SemaphoreSlim _subscribing = new(1, 1);
    private volatile bool _subscribed;

    public RedisTelegramState(RedisConnection redis, IOptions<SwitchboardOptions> options)
    {
        _redis = redis;
        NodeId = options.Value.Node.Id;
        LiveLease = TimeSpan.FromSeconds(options.Value.Redis.EffectiveLeaseSeconds);
        var bridge = options.Value.Realtime.BridgeId;
        _surfaceKey = "switchboard:{cluster}:telegram:" + bridge;
        _leaseKey = "switchboard:{cluster}:telegram:" + bridge + ":lease";
        _channel = RedisChannel.Literal("switchboard:{cluster}:telegram:" + bridge + ":events");
    }

    /// <summary>This node's id, the owner written into leases it takes or runs.</summary>
    public string NodeId { get; }

    /// <summary>How long a live lease lasts without renewal (<c>Switchboard:Redis:LeaseSeconds</c>): a dead node's call frees it after this.</summary>
    public TimeSpan LiveLease { get; }

    /// <summary>The surface as stored.</summary>
    public async Task<SharedSurface> ReadAsync()
    {
        var db = await DatabaseAsync().ConfigureAwait(false);
        var fields = db.HashGetAsync(_surfaceKey, ["armed", "idleSince", "thread"]);
        var lease = db.StringGetAsync(_leaseKey);
        var values = await fields.ConfigureAwait(false);
        var idle = long.TryParse((string?)values[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : DateTimeOffset.UnixEpoch;
        return new SharedSurface(values[0] == "1", idle, values[2].IsNullOrEmpty ? null : (string?)values[2], Parse(await lease.ConfigureAwait(false)));
    }

    /// <summary>Arms or disarms; arming restarts the idle clock.</summary>
    public async Task SetArmedAsync(bool armed, DateTimeOffset now)
    {
        var db = await DatabaseAsync().ConfigureAwait(false);
        await db.HashSetAsync(_surfaceKey, armed
            ? [new HashEntry("armed", "1"), new HashEntry("idleSince", now.ToUnixTimeMilliseconds())]
            : [new HashEntry("armed", "0")]).ConfigureAwait(false);
    }

    public async Task BindThreadAsync(string threadId)
    {
        var db = await DatabaseAsync().ConfigureAwait(false);
        await db.HashSetAsync(_surfaceKey, "thread", threadId).ConfigureAwait(false);
    }

    /// <summary>Takes the lease for a prepared call (<c>SET NX PX</c> for its connect window); false when any call holds it.</summary>
    public async Task<bool> TryTakeAsync(LiveCallLease lease)
    {
        var db = await DatabaseAsync().ConfigureAwait(false);
        var window = lease.PreparedUntil - lease.TakenAt;
        return await db.StringSetAsync(_leaseKey, Format(lease), window, When.NotExists).ConfigureAwait(false);
    }

    /// <summary>Makes the session's prepared lease live (this node runs the call); false when it is not the holder or lapsed.</summary>
    public async Task<bool> TryGoLiveAsync(LiveCallLease live)
    {
        var db = await DatabaseAsync().ConfigureAwait(false);
        var result = await db.ScriptEvaluateAsync(GoLiveScript, [_leaseKey],
            [Prefix(live.SessionId, 'P'), Format(live), (long)LiveLease.TotalMilliseconds]).ConfigureAwait(false);
        return (int)result == 1;
    }

    /// <summary>Extends this node's live lease (re-adding it if Redis lost it); false when another call holds the lease.</summary>
    public async Task<bool> RenewAsync(LiveCallLease live)
    {
        var db = await DatabaseAsync().ConfigureAwait(false);
        var result = await db.ScriptEvaluateAsync(RenewScript, [_leaseKey],
            [Prefix(live.SessionId, 'L'), Format(live), (long)LiveLease.TotalMilliseconds]).ConfigureAwait(false);
        return (int)result == 1;
    }

    /// <summary>Deletes the session's lease (prepared or live) and restarts the idle clock; false when it does not hold it.</summary>
    public async Task<bool> ReleaseAsync(Guid sessionId, DateTimeOffset now)
    {
        var db = await DatabaseAsync().ConfigureAwait(false);
        var result = await db.ScriptEvaluateAsync(ReleaseScript, [_leaseKey, _surfaceKey],
            [sessionId.ToString("N", CultureInfo.InvariantCulture) + "|", now.ToUnixTimeMilliseconds()]).ConfigureAwait(false);
        return (int)result == 1;
    }

    /// <summary>Disarms when armed, without a lease and idle since <paramref name="idleBefore"/> or earlier; true for the one node that did.</summary>
    public async Task<bool> TryAutoDisarmAsync(DateTimeOffset idleBefore)
    {
        var db = await DatabaseAsync().ConfigureAwait(false);
        var result = await db.ScriptEvaluateAsync(AutoDisarmScript, [_surfaceKey, _leaseKey], [idleBefore.ToUnixTimeMilliseconds()]).ConfigureAwait(false);
        return (int)result == 1;
    }

    /// <summary>
    /// Listens once (StackExchange.Redis re-subscribes after a reconnect) to the bridge's channel: feed messages and hang-up
    /// requests of the other nodes, as <c>node</c> + newline + JSON. Tried again on every call until Redis answers.
    /// </summary>
    public async Task EnsureSubscribedAsync(Action<string, string> onMessage)
    {
        if (_subscribed)
        {
            return;
        }

        await _subscribing.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!_subscribed)
            {
                var db = await DatabaseAsync().ConfigureAwait(false);
                await db.Multiplexer.GetSubscriber().SubscribeAsync(_channel, (_, message) =>
                {
                    var text = (string?)message ?? "";
                    var newline = text.IndexOf('\n', StringComparison.Ordinal);
                    if (newline > 0 && text[..newline] != NodeId)
                    {
                        onMessage(text[..newline], text[(newline + 1)..]);
                    }
                }).ConfigureAwait(false);
                _subscribed = true;
            }
        }
        finally
        {
            _subscribing.Release();
        }
    }

    /// <summary>Sends <paramref name="json"/> to the other nodes (fire and forget: a message lost to an outage is not retried).</summary>
    public void Publish(string json)
    {
        if (_redis.IsConnected && _redis.DatabaseAsync() is { IsCompletedSuccessfully: true, Result: { } db })
        {
            db.Publish(_channel, NodeId + "\n" + json, CommandFlags.FireAndForget);
        }
    }

    /// <summary>True for the one node that announces a lease it saw vanish (several nodes notice the same expiry).</summary>
    public async Task<bool> ClaimAnnouncementAsync(Guid sessionId)
    {
        var db = await DatabaseAsync().ConfigureAwait(false);
        return await db.StringSetAsync(_leaseKey.Append(":gone:" + sessionId.ToString("N", CultureInfo.InvariantCulture)), NodeId, TimeSpan.FromMinutes(5), When.NotExists)
            .ConfigureAwait(false);
    }

    public void Dispose() => _subscribing.Dispose();

    private async Task<IDatabase> DatabaseAsync() =>
        await _redis.DatabaseAsync().ConfigureAwait(false) ?? throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, CommandFlags.None, "unreachable", null, CommandStatus.Unknown);

    private static string Prefix(Guid sessionId, char state) => sessionId.ToString("N", CultureInfo.InvariantCulture) + "|" + state + "|";

    /// <summary><c>session|P or L|user|chat|takenAtMs|preparedUntilMs|node|callId|thread</c> (the thread last: it may hold anything).</summary>
    internal static string Format(LiveCallLease lease) => string.Join('|',
        lease.SessionId.ToString("N", CultureInfo.InvariantCulture), lease.IsLive ? "L" : "P",
        lease.UserId.ToString(CultureInfo.InvariantCulture), lease.ChatId.ToString(CultureInfo.InvariantCulture),
        lease.TakenAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), lease.PreparedUntil.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
        lease.Node ?? "", lease.CallId ?? "", lease.ThreadId ?? "");

    internal static LiveCallLease? Parse(RedisValue value)
    {
        var parts = value.IsNullOrEmpty ? [] : ((string)value!).Split('|', 9);
        if (parts.Length != 9 || !Guid.TryParseExact(parts[0], "N", out var sessionId)
            || !long.TryParse(parts[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var user)
            || !long.TryParse(parts[3], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var chat)
            || !long.TryParse(parts[4], NumberStyles.None, CultureInfo.InvariantCulture, out var taken)
            || !long.TryParse(parts[5], NumberStyles.None, CultureInfo.InvariantCulture, out var until))
        {
            return null;
        }

        return new LiveCallLease(sessionId, user, chat, parts[8].Length == 0 ? null : parts[8],
            DateTimeOffset.FromUnixTimeMilliseconds(taken), DateTimeOffset.FromUnixTimeMilliseconds(until))
        {
            Node = parts[6].Length == 0 ? null : parts[6],
            CallId = parts[1] == "L" && parts[7].Length > 0 ? parts[7] : null,
        };
    }
}
