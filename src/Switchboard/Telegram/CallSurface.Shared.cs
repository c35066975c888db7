using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Switchboard.Telegram;

/// <summary>
/// The surface across nodes. Each <c>…Async</c> method is the in-process method when there is no Redis; with Redis it decides in
/// Redis (<see cref="RedisTelegramState"/>) and keeps this node's copy in step. A Redis failure fails closed for calls (no lease,
/// so a bootstrap is refused <c>busy</c>) and applies an operator's change on this node only, logged.
/// </summary>
internal sealed partial class CallSurface
{
    private readonly RedisTelegramState? _shared;
    private readonly ILogger _log;

    /// <summary>Whether the state is shared across nodes through Redis.</summary>
    public bool IsShared => _shared is not null;

    /// <summary>Reads the shared state into this node's copy (a no-op in process); false when Redis did not answer.</summary>
    public async Task<bool> RefreshAsync()
    {
        if (_shared is null)
        {
            return true;
        }

        long version;
        lock (_gate)
        {
            version = _version;
        }

        SharedSurface state;
        try
        {
            await _shared.EnsureSubscribedAsync(OnOtherNode).ConfigureAwait(false);
            state = await _shared.ReadAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            TelegramLog.SharedStateUnavailable(_log, "read", Cluster.RedisConnection.Describe(ex));
            return false;
        }

        lock (_gate)
        {
            // A change made here while the read was in flight is newer than what was read; the next refresh brings both.
            if (_version == version)
            {
                _armed = state.Armed;
                _idleSince = state.IdleSince;
                _threadId = state.ThreadId;
                _lease = state.Lease;
            }
        }

        return true;
    }

    public async Task ArmAsync(string by)
    {
        Arm(by);
        if (_shared is not null)
        {
            await WriteAsync("arm", () => _shared.SetArmedAsync(true, _time.GetUtcNow())).ConfigureAwait(false);
        }
    }

    public async Task DisarmAsync(string reason)
    {
        Disarm(reason);
        if (_shared is not null)
        {
            await WriteAsync("disarm", () => _shared.SetArmedAsync(false, _time.GetUtcNow())).ConfigureAwait(false);
        }
    }

    public async Task BindThreadAsync(string threadId)
    {
        Bind(threadId);
        if (_shared is not null)
        {
            await WriteAsync("bind", () => _shared.BindThreadAsync(threadId)).ConfigureAwait(false);
        }
    }

    /// <summary>As <see cref="TryTake"/>, the lease taken in Redis (<c>SET NX PX</c> for the connect window) when shared.</summary>
    public async Task<LiveCallLease?> TryTakeAsync(Guid sessionId, long userId, long chatId, TimeSpan connectWithin)
    {
        if (_shared is null)
        {
            return TryTake(sessionId, userId, chatId, connectWithin);
        }

        var now = _time.GetUtcNow();
        var lease = new LiveCallLease(sessionId, userId, chatId, ThreadId, now, now + connectWithin) { Node = _shared.NodeId };
        try
        {
            if (!await _shared.TryTakeAsync(lease).ConfigureAwait(false))
            {
                return null;
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            TelegramLog.SharedStateUnavailable(_log, "take the call lease", Cluster.RedisConnection.Describe(ex));
            return null;
        }

        lock (_gate)
        {
            _lease = lease;
            _version++;
        }

        Feed.Publish(Message("call.preparing", ("sessionId", sessionId.ToString("D")), ("userId", userId), ("threadId", lease.ThreadId)));
        return lease;
    }

    /// <summary>As <see cref="TryGoLive"/>; when shared, the prepared lease (taken on any node) becomes this node's live lease in Redis.</summary>
    public async Task<bool> TryGoLiveAsync(Guid sessionId, string callId, Func<string, Task<bool>> hangUp)
    {
        if (_shared is null)
        {
            return TryGoLive(sessionId, callId, hangUp);
        }

        if (Lease is not { IsLive: false } held || held.SessionId != sessionId)
        {
            return false;
        }

        var live = held with { CallId = callId, Node = _shared.NodeId };
        try
        {
            if (!await _shared.TryGoLiveAsync(live).ConfigureAwait(false))
            {
                return false;
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            TelegramLog.SharedStateUnavailable(_log, "make the call lease live", Cluster.RedisConnection.Describe(ex));
            return false;
        }

        lock (_gate)
        {
            _lease = live;
            _hangUp = hangUp;
            _hangUpSession = sessionId;
            _version++;
        }

        Feed.Publish(Message("call.started", ("callId", callId), ("sessionId", sessionId.ToString("D")), ("userId", live.UserId), ("threadId", live.ThreadId)));
        return true;
    }

    /// <summary>As <see cref="Release"/>, also in Redis when shared (a lease Redis could not release expires on its own).</summary>
    public async Task<bool> ReleaseAsync(Guid sessionId)
    {
        var released = Release(sessionId);
        if (_shared is null)
        {
            return released;
        }

        try
        {
            return await _shared.ReleaseAsync(sessionId, _time.GetUtcNow()).ConfigureAwait(false) || released;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            TelegramLog.SharedStateUnavailable(_log, "release the call lease", Cluster.RedisConnection.Describe(ex));
            return released;
        }
    }

    /// <summary>
    /// As <see cref="Sweep"/>; when shared: refresh, announce a lease that vanished (expired: its page never connected or its node
    /// died), release this node's live lease whose call is gone or renew it, and auto-disarm in one script so one node announces it.
    /// </summary>
    public async Task SweepAsync(Func<string, bool> isCallRunning)
    {
        ArgumentNullException.ThrowIfNull(isCallRunning);
        if (_shared is null)
        {
            Sweep(isCallRunning);
            return;
        }

        var before = Lease;
        if (!await RefreshAsync().ConfigureAwait(false))
        {
            return;
        }

        var lease = Lease;
        try
        {
            // Every node notices the same expiry; one announces it (to every bridge, through the relay).
            if (before is not null && lease?.SessionId != before.SessionId && (before.Node != _shared.NodeId || !before.IsLive)
                && await _shared.ClaimAnnouncementAsync(before.SessionId).ConfigureAwait(false))
            {
                if (before.IsLive)
                {
                    TelegramLog.LeaseExpired(_log, before.CallId!, before.Node ?? "?");
                }

                Feed.Publish(Message("call.lease_released", ("id", before.CallId ?? before.SessionId.ToString("D")), ("reason", "call gone")));
            }

            if (lease is { IsLive: true } live && live.Node == _shared.NodeId)
            {
                if (!isCallRunning(live.CallId!))
                {
                    await ReleaseAsync(live.SessionId).ConfigureAwait(false);
                    Feed.Publish(Message("call.lease_released", ("id", live.CallId), ("reason", "call gone")));
                }
                else
                {
                    await _shared.RenewAsync(live).ConfigureAwait(false);
                }
            }

            var now = _time.GetUtcNow();
            bool idleTooLong;
            lock (_gate)
            {
                idleTooLong = _armed && _lease is null && _autoDisarm > TimeSpan.Zero && now - _idleSince >= _autoDisarm;
            }

            if (idleTooLong && await _shared.TryAutoDisarmAsync(now - _autoDisarm).ConfigureAwait(false))
            {
                lock (_gate)
                {
                    _armed = false;
                    _version++;
                }

                Feed.Publish(Message("surface.disarmed", ("reason", "auto"), ("idleSeconds", (long)_autoDisarm.TotalSeconds)));
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            TelegramLog.SharedStateUnavailable(_log, "renew the call lease", Cluster.RedisConnection.Describe(ex));
        }
    }

    /// <summary>The feed's relay: a message published here goes to the bridges connected to the other nodes too.</summary>
    private void RelayToOtherNodes(JsonObject message)
    {
        try
        {
            _shared?.Publish(new JsonObject { ["feed"] = message.DeepClone() }.ToJsonString());
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            // The bridges on other nodes miss this message; the next status shows the state.
        }
    }

    /// <summary>The live call runs on another node: asks it to hang up (it ends the call after the goodbye, as here).</summary>
    private bool HangUpElsewhere(string reason)
    {
        if (_shared is null || Lease is not { IsLive: true } live || live.Node == _shared.NodeId)
        {
            return false;
        }

        try
        {
            _shared.Publish(new JsonObject { ["hangup"] = live.SessionId.ToString("D"), ["reason"] = reason }.ToJsonString());
            return true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            TelegramLog.SharedStateUnavailable(_log, "hang up a call on another node", Cluster.RedisConnection.Describe(ex));
            return false;
        }
    }

    /// <summary>A message of another node: a feed message for this node's bridges, or a hang-up of the call this node runs.</summary>
    private void OnOtherNode(string node, string json)
    {
        JsonObject? message;
        try
        {
            message = JsonNode.Parse(json) as JsonObject;
        }
        catch (JsonException)
        {
            return;
        }

        if (message?["feed"] is JsonObject feed)
        {
            Feed.PublishLocal(feed);
        }
        else if (message?["hangup"] is JsonValue value && value.TryGetValue<string>(out var session) && Guid.TryParse(session, out var sessionId))
        {
            Func<string, Task<bool>>? hangUp;
            lock (_gate)
            {
                hangUp = _hangUpSession == sessionId ? _hangUp : null;
            }

            if (hangUp is not null)
            {
                _ = hangUp(message["reason"] is JsonValue r && r.TryGetValue<string>(out var reason) ? reason : "hung up from " + node);
            }
        }
    }

    private async Task WriteAsync(string change, Func<Task> write)
    {
        try
        {
            await write().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            TelegramLog.SharedStateUnavailable(_log, change + " (applied on this node only)", Cluster.RedisConnection.Describe(ex));
        }
    }
}
