using Switchboard.Common;

namespace Switchboard.Journal;

/// <summary>Calls and their events. Events are the record; the call row is a summary kept in step with them.</summary>
internal interface ICallStore
{
    /// <summary>
    /// Appends events in one transaction. <c>CallStarted</c> creates the call row, <c>CallEnded</c> closes it; each newly stored
    /// event also enqueues, in that transaction, the webhook deliveries it announces (<c>call.started</c>, <c>call.ended</c>,
    /// <c>call.artifact</c>, <c>handoff.hot</c>, <c>tool.failed</c>; the mapping is the Webhooks feature's).
    /// Appending an event that is already stored (same call and sequence) is a no-op, so retries are safe.
    /// </summary>
    Task AppendEventsAsync(IReadOnlyList<CallEvent> events, CancellationToken cancellationToken);

    Task<IReadOnlyList<CallEvent>> ReadEventsAsync(string callId, CancellationToken cancellationToken);

    /// <summary>A call; with a team id, only that team's call (another team's is null).</summary>
    Task<CallRecord?> GetCallAsync(Guid? teamId, string callId, CancellationToken cancellationToken);

    /// <summary>Calls, newest first; with a team id, only that team's.</summary>
    Task<Page<CallRecord>> ListCallsAsync(Guid? teamId, int offset, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// The team's calls that started in [<paramref name="from"/>, <paramref name="to"/>) (on one endpoint when given), as
    /// usage rows: what budgets and <c>GET /api/v1/usage</c> add up.
    /// </summary>
    Task<IReadOnlyList<CallUsage>> ListUsageAsync(Guid teamId, Guid? endpointId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>The ids of the calls <paramref name="nodeId"/> started that have not ended, oldest first.</summary>
    Task<IReadOnlyList<string>> ListOpenCallsAsync(string nodeId, CancellationToken cancellationToken);

    /// <summary>
    /// Closes a call left open by a node that stopped: in one transaction, only if the call is still open and owned by
    /// <paramref name="nodeId"/>, appends <paramref name="ended"/> (a <c>CallEnded</c> with the next sequence) exactly as
    /// <see cref="AppendEventsAsync"/> would, with its deliveries. True when this call closed it; false when it was
    /// already closed (by another node starting at the same moment, or an earlier run), or is not that node's.
    /// </summary>
    Task<bool> CloseOpenCallAsync(CallEvent ended, string nodeId, CancellationToken cancellationToken);
}
