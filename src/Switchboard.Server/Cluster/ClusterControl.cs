using StackExchange.Redis;
using Switchboard.Agents;
using Switchboard.Calls;
using Switchboard.Carriers;
using Switchboard.Carriers.Telnyx;
using Switchboard.Carriers.Twilio;
using Switchboard.Cluster;
using Switchboard.Journal;
using Switchboard.SipConnector;

namespace Switchboard.Server.Cluster;

/// <summary>
/// Control of calls on other nodes (docs/cluster.md): a hang-up forwarded to the call's owner over its channel and answered
/// there by the same local path (<see cref="CallRegistry.HangUp"/>); a forwarded command's handling on this node; and the
/// reaping of a node whose lease expired: its calls closed <c>node_lost</c> through the journal's conditional close
/// (<see cref="NodeLostReaper"/>, so artifacts and webhooks come once), its carrier calls hung up by REST, its entries cleared.
/// </summary>
internal sealed class ClusterControl
{
    /// <summary>How long a forwarded command waits for the owner's reply before the API answers 504.</summary>
    public static readonly TimeSpan ForwardTimeout = TimeSpan.FromSeconds(5);

    private readonly ClusterRegistry _cluster;
    private readonly CallRegistry _calls;
    private readonly NodeLostReaper _reaper;
    private readonly ICarrierCallControl _carriers;
    private readonly ISipCallControl _sip;
    private readonly ILogger<ClusterControl> _logger;

    public ClusterControl(ClusterRegistry cluster, CallRegistry calls, NodeLostReaper reaper, ICarrierCallControl carriers, ISipCallControl sip,
        ILogger<ClusterControl> logger)
    {
        _cluster = cluster;
        _calls = calls;
        _reaper = reaper;
        _carriers = carriers;
        _sip = sip;
        _logger = logger;
    }

    public bool Enabled => _cluster.Enabled;

    /// <summary>The cluster registry (look-ups of any node's calls).</summary>
    public ClusterRegistry Registry => _cluster;

    public string NodeId => _cluster.NodeId;

    /// <summary>
    /// Hangs up <paramref name="call"/>, live on another node: forwarded to its owner, which answers as the local path would
    /// (202, 404, 409); when the owner's lease is gone the owner is reaped here (carrier hang-up, <c>node_lost</c> close).
    /// </summary>
    public async Task<RemoteHangup> HangUpAsync(ClusterCall call, string detail, string? say, CancellationToken cancellationToken)
    {
        try
        {
            return await ForwardAsync(call, detail, say, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            ClusterLog.Unavailable(_logger, "a hang-up", RedisConnection.Describe(ex));
            return new RemoteHangup(StatusCodes.Status503ServiceUnavailable, "shared state (Redis) failed: the call's node could not be asked; try again", null);
        }
    }

    private async Task<RemoteHangup> ForwardAsync(ClusterCall call, string detail, string? say, CancellationToken cancellationToken)
    {
        var live = await _cluster.IsLiveAsync(call.Node).ConfigureAwait(false);
        if (live is null)
        {
            return new RemoteHangup(StatusCodes.Status503ServiceUnavailable, "shared state (Redis) unreachable: the call's node cannot be asked; try again", null);
        }

        if (live == false)
        {
            await ReapAsync(call.Node, cancellationToken).ConfigureAwait(false);
            return new RemoteHangup(StatusCodes.Status202Accepted, $"node {call.Node} is gone; the call was closed node_lost", CallEndReason.NodeLost);
        }

        var command = new ClusterMessage
        {
            Type = ClusterMessage.HangupType,
            RequestId = "",
            CallId = call.CallId,
            TeamId = call.TeamId,
            Reason = detail,
            Say = say,
        };
        var reply = await _cluster.SendAsync(call.Node, command, ForwardTimeout, cancellationToken).ConfigureAwait(false);
        if (reply?.Status is not { } status)
        {
            ClusterLog.ForwardTimedOut(_logger, call.CallId, call.Node, (long)ForwardTimeout.TotalMilliseconds);
            return new RemoteHangup(StatusCodes.Status504GatewayTimeout,
                $"node {call.Node}, which runs the call, did not answer within {ForwardTimeout.TotalSeconds:0} s; the call may still be live", null);
        }

        ClusterLog.Forwarded(_logger, call.CallId, call.Node, status);
        return new RemoteHangup(status, reply.Detail ?? "", status == StatusCodes.Status202Accepted ? CallEndReason.OperatorHangup : null);
    }

    /// <summary>A command another node forwarded here: a hang-up answered by the local path, with its HTTP status.</summary>
    public Task<ClusterMessage> HandleAsync(ClusterMessage command)
    {
        var reply = new ClusterMessage { Type = ClusterMessage.ReplyType, RequestId = command.RequestId };
        if (command.Type != ClusterMessage.HangupType || command.CallId is null || command.TeamId is not { } teamId || command.Reason is null)
        {
            return Task.FromResult(reply with { Status = StatusCodes.Status400BadRequest, Detail = "unknown command" });
        }

        var attempt = _calls.HangUp(command.CallId, teamId, command.Reason, command.Say);
        var (status, detail) = attempt.Status switch
        {
            HangupStatus.Accepted => (StatusCodes.Status202Accepted, "ending"),
            HangupStatus.AlreadyEnding => (StatusCodes.Status409Conflict, "the call is already ending"),
            HangupStatus.NotSupported => (StatusCodes.Status409Conflict, "this call cannot be hung up from the API"),
            _ => (StatusCodes.Status404NotFound, "no live call with this id"),
        };
        if (attempt.Ending is { } ending)
        {
            _ = ObserveAsync(ending, command.CallId);
        }

        ClusterLog.CommandHandled(_logger, command.From ?? "?", command.CallId, status);
        return Task.FromResult(reply with { Status = status, Detail = detail });
    }

    private async Task ObserveAsync(Task<bool> ending, string callId)
    {
        try
        {
            await ending.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            ClusterLog.HangupFailed(_logger, ex, callId);
        }
    }

    /// <summary>Reaps every node whose lease has expired and that no other node is reaping (the heartbeat's work).</summary>
    public async Task ReapExpiredAsync(CancellationToken cancellationToken)
    {
        var nodes = await _cluster.NodesAsync().ConfigureAwait(false);
        foreach (var node in nodes ?? [])
        {
            if (!node.Live && node.Id != _cluster.NodeId)
            {
                await ReapAsync(node.Id, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Reaps one dead node, once across the cluster (a claim taken for one lease and renewed while the reap runs): carrier
    /// calls hung up by REST, then every call the journal holds open for it closed <c>node_lost</c>, then its registry
    /// cleared. A node that renewed its lease meanwhile (it restarted with the same id) is left alone: it closes its
    /// previous run's calls itself.
    /// </summary>
    public async Task ReapAsync(string deadNode, CancellationToken cancellationToken)
    {
        try
        {
            if (!await _cluster.TryClaimAsync(deadNode).ConfigureAwait(false))
            {
                return;
            }

            using var reaping = new CancellationTokenSource();
            var keeper = KeepClaimAsync(deadNode, reaping.Token);
            try
            {
                await ReapClaimedAsync(deadNode, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await reaping.CancelAsync().ConfigureAwait(false);
                await keeper.ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            ClusterLog.ReapFailed(_logger, deadNode, RedisConnection.Describe(ex));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The database may be down: the heartbeat must go on (its lease matters more); the claim expires and a node retries.
            ClusterLog.ReapFailed(_logger, deadNode, ex.GetType().Name);
        }
    }

    /// <summary>Renews the reap claim every third of a lease until the reap ends (it may outlast a lease).</summary>
    private async Task KeepClaimAsync(string deadNode, CancellationToken cancellationToken)
    {
        var period = TimeSpan.FromSeconds(_cluster.LeaseSeconds / 3.0);
        try
        {
            while (true)
            {
                await Task.Delay(period, cancellationToken).ConfigureAwait(false);
                if (!await _cluster.ExtendClaimAsync(deadNode).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The reap ended.
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Redis is unreachable: the claim lapses, and another node may retry the rest later.
        }
    }

    private async Task ReapClaimedAsync(string deadNode, CancellationToken cancellationToken)
    {
        var calls = await _cluster.CallsOfAsync(deadNode).ConfigureAwait(false);
        ClusterLog.ReapStarted(_logger, deadNode, _cluster.NodeId, calls.Count);
        var hungUp = 0;
        foreach (var call in calls)
        {
            if (call.Channel is TwilioProtocol.CarrierName or TelnyxProtocol.CarrierName && !string.IsNullOrEmpty(call.CarrierCallId))
            {
                var start = new CallStartInfo { CarrierCallId = call.CarrierCallId, AccountId = call.AccountId };
                var result = await _carriers.HangUpAsync(call.CallId, call.Channel, start, cancellationToken).ConfigureAwait(false);
                ClusterLog.CarrierHangup(_logger, call.CallId, deadNode, call.Channel, result.Status.ToString(), result.Detail);
                hungUp += result.Status is CallControlStatus.Done or CallControlStatus.AlreadyEnded ? 1 : 0;
            }
            else if (call.Channel == Transports.Sip && !string.IsNullOrEmpty(call.CarrierCallId))
            {
                // A SIP connector call is hung up through the connector's REST (every node talks to the same connector).
                var result = await _sip.HangUpAsync(call.CarrierCallId, cancellationToken).ConfigureAwait(false);
                ClusterLog.CarrierHangup(_logger, call.CallId, deadNode, call.Channel, result.Status.ToString(), result.Detail);
                hungUp += result.Status is CallControlStatus.Done or CallControlStatus.AlreadyEnded ? 1 : 0;
            }
        }

        // The journal is the truth: it also closes calls whose entries an outage kept out of Redis. Re-checked last, so a
        // node that came back with the same id keeps its new calls.
        if (await _cluster.IsLiveAsync(deadNode).ConfigureAwait(false) != false)
        {
            return;
        }

        var closed = await _reaper.ReapAsync(deadNode, cancellationToken, NodeLostReaper.ClusterDetail).ConfigureAwait(false);
        var cleared = await _cluster.ClearNodeAsync(deadNode).ConfigureAwait(false);
        ClusterLog.Reaped(_logger, deadNode, closed, hungUp, cleared);
    }
}
