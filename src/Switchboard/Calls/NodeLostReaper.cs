using System.Globalization;
using Microsoft.Extensions.Logging;
using Switchboard.Artifacts;
using Switchboard.Diagnostics;
using Switchboard.Journal;

namespace Switchboard.Calls;

/// <summary>
/// Crash recovery: when a node starts, the calls its previous run left open (it was killed, crashed or lost power) can never
/// end by themselves, so they are closed <see cref="CallEndReason.NodeLost"/> with what was journalled until the stop. Each is
/// closed through the journal's own append (<see cref="ICallStore.CloseOpenCallAsync"/>), so its artifact and
/// <c>call.ended</c> deliveries are written as for any call, in the same transaction, exactly once: a conditional close
/// means a second restart, or two nodes starting at once with the same id, never close a call twice. Only calls of this
/// node's id are touched; another node's calls are its own to close (or, later, a cluster registry's after their lease).
/// </summary>
internal sealed partial class NodeLostReaper
{
    /// <summary>The end detail of a reaped call.</summary>
    public const string Detail = "the gateway node stopped while the call was live; closed when it started again";

    /// <summary>The end detail of a call reaped by another node once its owner's lease expired (docs/cluster.md).</summary>
    public const string ClusterDetail = "the gateway node stopped while the call was live; its lease expired and another node closed the call";

    private readonly ICallStore _store;
    private readonly CallPricing _pricing;
    private readonly ILogger _logger;

    public NodeLostReaper(ICallStore store, CallPricing pricing, ILogger<NodeLostReaper> logger)
    {
        _store = store;
        _pricing = pricing;
        _logger = logger;
    }

    /// <summary>
    /// Closes every open call of <paramref name="nodeId"/>; returns how many this run closed. Must run before the node admits
    /// calls (its own new calls would look open too), or, for another node, once its lease has expired (the cluster reaper).
    /// A call that fails to close is logged and left for the next start (or the next reaper).
    /// </summary>
    public async Task<int> ReapAsync(string nodeId, CancellationToken cancellationToken, string detail = Detail)
    {
        var open = await _store.ListOpenCallsAsync(nodeId, cancellationToken).ConfigureAwait(false);
        var closed = 0;
        foreach (var callId in open)
        {
            try
            {
                var events = await _store.ReadEventsAsync(callId, cancellationToken).ConfigureAwait(false);
                var ended = Ended(callId, events, _pricing, detail);
                if (await _store.CloseOpenCallAsync(ended, nodeId, cancellationToken).ConfigureAwait(false))
                {
                    closed++;
                    LogClosed(_logger, callId, nodeId, events.Count, Duration(ended));
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(_logger, callId, ex.Message);
            }
        }

        if (open.Count > 0)
        {
            LogReaped(_logger, closed, open.Count, nodeId);
        }

        return closed;
    }

    /// <summary>
    /// The <c>CallEnded</c> that closes a lost call: the next sequence, at the last journalled moment (the last sign of life,
    /// so neither the duration nor the usage budgets count the time the node was down), with the cost of the usage journalled.
    /// </summary>
    internal static CallEvent Ended(string callId, IReadOnlyList<CallEvent> events, CallPricing pricing, string detail = Detail)
    {
        CallEvent? started = null, last = null;
        foreach (var e in events)
        {
            if (e.Type == CallEventType.CallStarted && (started is null || e.Sequence < started.Sequence))
            {
                started = e;
            }

            if (last is null || e.Sequence > last.Sequence)
            {
                last = e;
            }
        }

        var at = last?.At ?? DateTimeOffset.UnixEpoch;
        var data = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [CallEventKeys.DurationMs] = Math.Max(0, (long)(at - (started?.At ?? at)).TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
        };
        if (Cost(events, pricing) is { } cost)
        {
            data[CallEventKeys.CostUsd] = cost.ToString("0.######", CultureInfo.InvariantCulture);
        }

        return new CallEvent
        {
            CallId = callId,
            Sequence = (last?.Sequence ?? 0) + 1,
            At = at,
            Type = CallEventType.CallEnded,
            Reason = CallEndReason.NodeLost,
            Detail = detail,
            Data = data,
        };
    }

    /// <summary>The journalled usage's estimated cost; null when unpriced or when the journal cannot be folded (the close must not fail on it).</summary>
    private static double? Cost(IReadOnlyList<CallEvent> events, CallPricing pricing)
    {
        try
        {
            return CallArtifactBuilder.Build(events, pricing).Cost?.Amount;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException or OverflowException or System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static long Duration(CallEvent ended) =>
        long.TryParse(ended.Data![CallEventKeys.DurationMs], NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? ms : 0;

    [LoggerMessage(EventId = EventIds.NodeLostCallClosed, Level = LogLevel.Warning, Message = "Call {CallId} closed node_lost: node {NodeId} stopped while it was live ({Events} events journalled, {DurationMs} ms)")]
    private static partial void LogClosed(ILogger logger, string callId, string nodeId, long events, long durationMs);

    [LoggerMessage(EventId = EventIds.NodeLostReaped, Level = LogLevel.Warning, Message = "Crash recovery: closed {Closed} of {Open} calls node {NodeId} left open")]
    private static partial void LogReaped(ILogger logger, int closed, int open, string nodeId);

    [LoggerMessage(EventId = EventIds.NodeLostFailed, Level = LogLevel.Error, Message = "Crash recovery: call {CallId} could not be closed (left for the next start): {Error}")]
    private static partial void LogFailed(ILogger logger, string callId, string error);
}
