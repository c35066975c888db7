using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Switchboard.Cluster;
using Switchboard.Configuration;

namespace Switchboard.Sessions;

/// <summary>
/// Which node holds each session's live connection, in Redis (on only with <c>Switchboard:Redis</c>), so a newer connection on
/// another node supersedes the old one exactly as on one node. (1) A connection claims its session's owner key
/// (<c>SET … GET PX</c>, value <c>node|callId|claimedAtMs</c>); (2) when the key named another node, a message on the broadcast
/// channel tells that node, which ends its connection through <see cref="SessionConnections"/>; (3) a timer renews this node's
/// claims every third of the lease and reconciles after an outage (the newer claim wins); (4) a connection that ends deletes its
/// key only while it still holds it. A dead node's keys expire after one lease.
/// </summary>
internal sealed class SessionOwnership : IDisposable
{
    /// <summary>The channel every node listens on for "your connection was superseded" messages.</summary>
    public const string Channel = "switchboard:{cluster}:sessions";

    // KEYS[1]: owner key; ARGV[1]: our value, ARGV[2]: lease ms. Keeps our claim alive (re-adds it after Redis lost it); returns
    // the other owner's value when someone else holds the key.
    private const string RenewScript = """
        local current = redis.call('GET', KEYS[1])
        if current == false or current == ARGV[1] then
          redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
          return false
        end
        return current
        """;

    // KEYS[1]: owner key; ARGV[1]: our value. Deletes the key only while it is still ours.
    private const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          return redis.call('DEL', KEYS[1])
        end
        return 0
        """;

    private readonly RedisConnection _redis;
    private readonly ILogger<SessionOwnership> _log;
    private readonly TimeProvider _time;
    private readonly string _nodeId;
    private readonly TimeSpan _lease;
    private readonly ConcurrentDictionary<Guid, OwnerClaim> _held = new();
    private readonly ITimer _renewal;
    private readonly SemaphoreSlim _subscribing = new(1, 1);
    private volatile bool _subscribed;
    private int _renewing;

    public SessionOwnership(RedisConnection redis, IOptions<SwitchboardOptions> options, TimeProvider time, ILogger<SessionOwnership> log)
    {
        _redis = redis;
        _log = log;
        _time = time;
        _nodeId = options.Value.Node.Id;
        _lease = TimeSpan.FromSeconds(options.Value.Redis.EffectiveLeaseSeconds);
        var period = _lease / 3;
        _renewal = time.CreateTimer(_ => _ = RenewAsync(), null, period, period);
    }

    /// <summary>Called with (session, call id of the superseded local connection) when a newer connection took the session elsewhere.</summary>
    public Action<Guid, string>? Superseded { get; set; }

    /// <summary>The Redis key naming a session's owner.</summary>
    public static string Key(Guid sessionId) => "switchboard:{cluster}:session:" + sessionId.ToString("N", CultureInfo.InvariantCulture);

    /// <summary>Claims <paramref name="sessionId"/> for the local connection <paramref name="callId"/> and tells a previous owner on another node.</summary>
    public async Task ClaimAsync(Guid sessionId, string callId)
    {
        var claim = new OwnerClaim(_nodeId, callId, _time.GetUtcNow().ToUnixTimeMilliseconds());
        _held[sessionId] = claim;
        try
        {
            await EnsureSubscribedAsync().ConfigureAwait(false);
            var db = await _redis.DatabaseAsync().ConfigureAwait(false);
            if (db is null)
            {
                SessionOwnershipLog.Unavailable(_log, sessionId, "unreachable");
                return;
            }

            var previous = await db.StringSetAndGetAsync(Key(sessionId), claim.Value, _lease).ConfigureAwait(false);
            if (OwnerClaim.TryParse(previous, out var before) && before.Node != _nodeId)
            {
                await TellAsync(db, sessionId, claim, before).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // The local rule still holds; the renewal claims the key once Redis answers again.
            SessionOwnershipLog.Unavailable(_log, sessionId, RedisConnection.Describe(ex));
        }
    }

    /// <summary>Forgets the claim of a connection that ended, and deletes its key unless a newer connection holds it.</summary>
    public void Release(Guid sessionId, string callId)
    {
        if (!_held.TryGetValue(sessionId, out var claim) || claim.CallId != callId || !_held.TryRemove(new KeyValuePair<Guid, OwnerClaim>(sessionId, claim)))
        {
            return;
        }

        try
        {
            if (_redis.IsConnected && _redis.DatabaseAsync() is { IsCompletedSuccessfully: true, Result: { } db })
            {
                db.ScriptEvaluate(ReleaseScript, [Key(sessionId)], [claim.Value], CommandFlags.FireAndForget);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            // The key expires with its lease.
        }
    }

    /// <summary>Renews every claim of this node, and settles a conflict an outage left behind: the newer claim wins (the timer's work; tests call it).</summary>
    internal async Task RenewAsync()
    {
        if (_held.IsEmpty || Interlocked.Exchange(ref _renewing, 1) != 0)
        {
            return;
        }

        try
        {
            await EnsureSubscribedAsync().ConfigureAwait(false);
            var db = await _redis.DatabaseAsync().ConfigureAwait(false);
            if (db is null)
            {
                return;
            }

            var lease = (long)_lease.TotalMilliseconds;
            foreach (var (sessionId, claim) in _held.ToArray())
            {
                var other = await db.ScriptEvaluateAsync(RenewScript, [Key(sessionId)], [claim.Value, lease]).ConfigureAwait(false);
                if (other.IsNull || !OwnerClaim.TryParse((RedisValue)other, out var holder))
                {
                    continue;
                }

                if (holder.ClaimedAtMs >= claim.ClaimedAtMs)
                {
                    // Someone connected later while the message could not reach us: this connection is the older one.
                    SessionOwnershipLog.Reconciled(_log, sessionId, holder.Node);
                    Superseded?.Invoke(sessionId, claim.CallId);
                }
                else
                {
                    await db.StringSetAsync(Key(sessionId), claim.Value, _lease).ConfigureAwait(false);
                    await TellAsync(db, sessionId, claim, holder).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            SessionOwnershipLog.RenewalFailed(_log, _held.Count, RedisConnection.Describe(ex));
        }
        finally
        {
            Volatile.Write(ref _renewing, 0);
        }
    }

    private async Task TellAsync(IDatabase db, Guid sessionId, OwnerClaim newer, OwnerClaim older)
    {
        // "<session>|<older node>|<older call>|<newer node>": only the older node acts, and only on that very connection.
        var message = sessionId.ToString("N", CultureInfo.InvariantCulture) + "|" + older.Node + "|" + older.CallId + "|" + newer.Node;
        await db.PublishAsync(RedisChannel.Literal(Channel), message).ConfigureAwait(false);
        SessionOwnershipLog.Told(_log, sessionId, older.Node);
    }

    private async Task EnsureSubscribedAsync()
    {
        if (_subscribed)
        {
            return;
        }

        await _subscribing.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_subscribed || await _redis.DatabaseAsync().ConfigureAwait(false) is not { } db)
            {
                return;
            }

            // StackExchange.Redis re-subscribes by itself after a reconnect.
            await db.Multiplexer.GetSubscriber().SubscribeAsync(RedisChannel.Literal(Channel), (_, message) => OnMessage(message)).ConfigureAwait(false);
            _subscribed = true;
        }
        finally
        {
            _subscribing.Release();
        }
    }

    private void OnMessage(RedisValue message)
    {
        var parts = ((string?)message ?? "").Split('|');
        if (parts.Length != 4 || parts[1] != _nodeId || !Guid.TryParseExact(parts[0], "N", out var sessionId))
        {
            return;
        }

        if (_held.TryGetValue(sessionId, out var claim) && claim.CallId == parts[2])
        {
            SessionOwnershipLog.SupersededRemotely(_log, sessionId, parts[3]);
            Superseded?.Invoke(sessionId, parts[2]);
        }
    }

    public void Dispose()
    {
        _renewal.Dispose();
        _subscribing.Dispose();
    }
}
