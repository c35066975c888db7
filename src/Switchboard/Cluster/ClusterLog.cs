using Microsoft.Extensions.Logging;
using Switchboard.Diagnostics;

namespace Switchboard.Cluster;

/// <summary>Log messages of the cluster call registry (node ids and call ids only: no numbers, no configuration).</summary>
internal static partial class ClusterLog
{
    [LoggerMessage(EventId = EventIds.ClusterJoined, Level = LogLevel.Information, Message = "Cluster registry: node {NodeId} holds a {LeaseSeconds} s lease, renewed every {RenewSeconds:0.#} s")]
    public static partial void Joined(ILogger logger, string nodeId, int leaseSeconds, double renewSeconds);

    [LoggerMessage(EventId = EventIds.ClusterRenewalFailed, Level = LogLevel.Warning, Message = "Cluster registry: renewing node {NodeId}'s lease and {Calls} call entries failed ({Failure}); retried next round, calls go on")]
    public static partial void RenewalFailed(ILogger logger, string nodeId, int calls, string failure);

    [LoggerMessage(EventId = EventIds.ClusterReconciled, Level = LogLevel.Information, Message = "Cluster registry: removed {Removed} stale call entries of node {NodeId}")]
    public static partial void Reconciled(ILogger logger, int removed, string nodeId);

    [LoggerMessage(EventId = EventIds.ClusterReapStarted, Level = LogLevel.Warning, Message = "Cluster registry: node {DeadNode}'s lease expired; node {NodeId} reaps its {Calls} registered calls")]
    public static partial void ReapStarted(ILogger logger, string deadNode, string nodeId, int calls);

    [LoggerMessage(EventId = EventIds.ClusterReaped, Level = LogLevel.Warning, Message = "Cluster registry: node {DeadNode} reaped: {Closed} calls closed node_lost, {HungUp} carrier calls hung up, {Cleared} entries cleared")]
    public static partial void Reaped(ILogger logger, string deadNode, int closed, int hungUp, int cleared);

    [LoggerMessage(EventId = EventIds.ClusterReapFailed, Level = LogLevel.Error, Message = "Cluster registry: reaping node {DeadNode} failed ({Failure}); retried when the claim expires")]
    public static partial void ReapFailed(ILogger logger, string deadNode, string failure);

    [LoggerMessage(EventId = EventIds.ClusterCarrierHangup, Level = LogLevel.Information, Message = "Cluster registry: call {CallId} of dead node {DeadNode} hung up at {Carrier}: {Status} ({Detail})")]
    public static partial void CarrierHangup(ILogger logger, string callId, string deadNode, string carrier, string status, string detail);

    [LoggerMessage(EventId = EventIds.ClusterForwarded, Level = LogLevel.Information, Message = "Cluster registry: hang-up of call {CallId} forwarded to node {Owner}: {Status}")]
    public static partial void Forwarded(ILogger logger, string callId, string owner, int status);

    [LoggerMessage(EventId = EventIds.ClusterForwardTimedOut, Level = LogLevel.Warning, Message = "Cluster registry: node {Owner} did not answer the hang-up of call {CallId} within {TimeoutMs} ms")]
    public static partial void ForwardTimedOut(ILogger logger, string callId, string owner, long timeoutMs);

    [LoggerMessage(EventId = EventIds.ClusterBadEntry, Level = LogLevel.Warning, Message = "Cluster registry: an unreadable call entry in Redis was skipped")]
    public static partial void BadEntry(ILogger logger);

    [LoggerMessage(EventId = EventIds.ClusterBadMessage, Level = LogLevel.Warning, Message = "Cluster registry: an unreadable message on this node's channel was dropped")]
    public static partial void BadMessage(ILogger logger);

    [LoggerMessage(EventId = EventIds.ClusterReplyFailed, Level = LogLevel.Warning, Message = "Cluster registry: the reply to request {RequestId} from node {Requester} could not be sent ({Failure})")]
    public static partial void ReplyFailed(ILogger logger, string requestId, string requester, string failure);

    [LoggerMessage(EventId = EventIds.ClusterCommandHandled, Level = LogLevel.Information, Message = "Cluster registry: node {Requester} asked to hang up call {CallId}: {Status}")]
    public static partial void CommandHandled(ILogger logger, string requester, string callId, int status);

    [LoggerMessage(EventId = EventIds.ClusterUnavailable, Level = LogLevel.Warning, Message = "Cluster registry: Redis unavailable for {Operation} ({Failure}); answering from this node alone")]
    public static partial void Unavailable(ILogger logger, string operation, string failure);

    [LoggerMessage(EventId = EventIds.ClusterLeft, Level = LogLevel.Information, Message = "Cluster registry: node {NodeId} left (lease removed)")]
    public static partial void Left(ILogger logger, string nodeId);

    [LoggerMessage(EventId = EventIds.ClusterHangupFailed, Level = LogLevel.Warning, Message = "Cluster registry: the hang-up of call {CallId} forwarded to this node failed")]
    public static partial void HangupFailed(ILogger logger, Exception exception, string callId);
}
