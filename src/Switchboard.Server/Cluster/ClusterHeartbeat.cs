using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Switchboard.Cluster;
using Switchboard.Configuration;
using Switchboard.Limits;

namespace Switchboard.Server.Cluster;

/// <summary>
/// The node's one cluster timer (docs/cluster.md), with Redis configured: every third of the lease (jittered, so nodes do not
/// all reap at once) it renews this node's lease with its state (live or draining) and re-writes its calls' entries, then
/// reaps nodes whose lease expired. The first renewal happens at start-up, before the node serves requests; a graceful stop
/// removes the lease.
/// </summary>
internal sealed class ClusterHeartbeat : BackgroundService
{
    private readonly ClusterRegistry _cluster;
    private readonly ClusterControl _control;
    private readonly DrainState _drain;
    private readonly TimeProvider _time;
    private readonly ILogger<ClusterHeartbeat> _logger;

    public ClusterHeartbeat(ClusterRegistry cluster, ClusterControl control, DrainState drain, TimeProvider time, ILogger<ClusterHeartbeat> logger)
    {
        _cluster = cluster;
        _control = control;
        _drain = drain;
        _time = time;
        _logger = logger;
    }

    /// <summary>Renewal period: a third of the lease, so two renewals in a row may fail before the lease lapses.</summary>
    public static TimeSpan Period(int leaseSeconds) => SlotLeaseMath.RenewalInterval(leaseSeconds);

    /// <summary>The next wait: the period less up to a fifth, at random (never longer than the period).</summary>
    public static TimeSpan Jittered(TimeSpan period, double random) => period * (1 - 0.2 * Math.Clamp(random, 0, 1));

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_cluster.Enabled)
        {
            _cluster.CommandHandler = _control.HandleAsync;
            await BeatAsync(reap: false, cancellationToken).ConfigureAwait(false);
            ClusterLog.Joined(_logger, _cluster.NodeId, _cluster.LeaseSeconds, Period(_cluster.LeaseSeconds).TotalSeconds);
        }

        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_cluster.Enabled)
        {
            return;
        }

        var period = Period(_cluster.LeaseSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Jittered(period, Random.Shared.NextDouble()), _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await BeatAsync(reap: true, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>One round: renew and reconcile, then (optionally) reap. Never throws: a failed round is retried next period.</summary>
    internal async Task BeatAsync(bool reap, CancellationToken cancellationToken = default)
    {
        try
        {
            var removed = await _cluster.RenewAsync(_drain.IsDraining ? ClusterMember.DrainingState : ClusterMember.LiveState).ConfigureAwait(false);
            if (removed < 0)
            {
                ClusterLog.RenewalFailed(_logger, _cluster.NodeId, _cluster.LocalCount, "unreachable");
                return;
            }

            if (removed > 0)
            {
                ClusterLog.Reconciled(_logger, removed, _cluster.NodeId);
            }

            if (reap)
            {
                await _control.ReapExpiredAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            ClusterLog.RenewalFailed(_logger, _cluster.NodeId, _cluster.LocalCount, RedisConnection.Describe(ex));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (_cluster.Enabled && _cluster.LocalCount == 0)
        {
            // Only once the node's calls have ended: a lease removed under live calls would have them reaped.
            await _cluster.LeaveAsync().ConfigureAwait(false);
            ClusterLog.Left(_logger, _cluster.NodeId);
        }
    }
}
