using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Switchboard.Common;
using Switchboard.Journal;

namespace Switchboard.Storage;

internal abstract partial class SqlStore
{
    private const string CallColumns = "id, team_id, endpoint_id, channel, carrier_call_id, from_number, to_number, started_at, ended_at, end_reason, event_count, duration_ms, cost_micros, refused, metadata, node_id";

    public async Task AppendEventsAsync(IReadOnlyList<CallEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return;
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var deliveries = 0;
        foreach (var e in events)
        {
            deliveries += await AppendAsync(connection, tx, e, counts, cancellationToken).ConfigureAwait(false);
        }

        foreach (var (callId, count) in counts)
        {
            await using var update = Command(connection, tx, "UPDATE calls SET event_count = event_count + @n WHERE id = @id");
            Add(update, "n", count);
            Add(update, "id", callId);
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        if (deliveries > 0)
        {
            WebhookEnqueued.Notify();
        }
    }

    /// <summary>
    /// One event of a batch, in its transaction: the event row (none if already stored: returns 0), the call row it opens or
    /// closes, and the webhook deliveries it announces (returned: how many). <paramref name="counts"/> gathers new events per call.
    /// </summary>
    private async Task<int> AppendAsync(DbConnection connection, DbTransaction tx, CallEvent e, Dictionary<string, long> counts, CancellationToken cancellationToken)
    {
        // A call ends once: its end is claimed on the call row before the event is stored. A second end (the owner's own, after
        // another node closed the call node_lost during a partition) is dropped with the webhooks it would announce.
        if (e.Type == CallEventType.CallEnded && !await ClaimEndAsync(connection, tx, e, cancellationToken).ConfigureAwait(false))
        {
            return 0;
        }

        await using (var insert = Command(connection, tx,
            "INSERT INTO call_events (call_id, seq, at, type, body) VALUES (@call, @seq, @at, @type, @body) ON CONFLICT (call_id, seq) DO NOTHING"))
        {
            Add(insert, "call", e.CallId);
            Add(insert, "seq", e.Sequence);
            Add(insert, "at", e.At);
            Add(insert, "type", e.Type.ToString());
            Add(insert, "body", JsonSerializer.Serialize(e, CallEventJsonContext.Default.CallEvent));
            if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                return 0;
            }
        }

        counts[e.CallId] = counts.GetValueOrDefault(e.CallId) + 1;
        if (e.Type is CallEventType.CallStarted or CallEventType.CallRefused)
        {
            // A refused call is a record of its own, ended when it began, so usage and the call list count it.
            var refused = e.Type == CallEventType.CallRefused;
            await using var call = Command(connection, tx, refused
                ? $"INSERT INTO calls ({CallColumns}) VALUES (@id, @team, @endpoint, @channel, @carrier_call, @from, @to, @started, @started, @reason, 0, 0, 0, 1, @metadata, @node) ON CONFLICT (id) DO NOTHING"
                : $"INSERT INTO calls ({CallColumns}) VALUES (@id, @team, @endpoint, @channel, @carrier_call, @from, @to, @started, NULL, NULL, 0, NULL, NULL, 0, @metadata, @node) ON CONFLICT (id) DO NOTHING");
            if (refused)
            {
                Add(call, "reason", e.Reason);
            }

            Add(call, "id", e.CallId);
            Add(call, "team", Data(e, CallEventKeys.TeamId));
            Add(call, "endpoint", Data(e, CallEventKeys.EndpointId));
            Add(call, "channel", Data(e, CallEventKeys.Carrier) ?? "unknown");
            Add(call, "carrier_call", Data(e, CallEventKeys.CarrierCallId));
            Add(call, "from", Data(e, CallEventKeys.From));
            Add(call, "to", Data(e, CallEventKeys.To));
            Add(call, "started", e.At);
            Add(call, "metadata", CallMetadata.Of(e));
            Add(call, "node", Data(e, CallEventKeys.NodeId));
            await call.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return await EnqueueCallEventWebhooksAsync(connection, tx, e, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sets a call's end on its row unless it has one: false when the call already ended (another writer closed it, or this is
    /// a retried batch), true when this end is the call's (also when no row exists, so an orphan end is still journalled).
    /// On PostgreSQL a concurrent end waits on the row lock and then finds <c>ended_at</c> set.
    /// </summary>
    private async Task<bool> ClaimEndAsync(DbConnection connection, DbTransaction tx, CallEvent e, CancellationToken cancellationToken)
    {
        await using (var ended = Command(connection, tx,
            "UPDATE calls SET ended_at = @at, end_reason = @reason, duration_ms = @duration, cost_micros = @cost WHERE id = @id AND ended_at IS NULL"))
        {
            Add(ended, "at", e.At);
            Add(ended, "reason", e.Reason);
            Add(ended, "duration", long.TryParse(Data(e, CallEventKeys.DurationMs), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? ms : null);
            Add(ended, "cost", double.TryParse(Data(e, CallEventKeys.CostUsd), NumberStyles.Float, CultureInfo.InvariantCulture, out var usd) && double.IsFinite(usd)
                ? (long)Math.Round(usd * 1_000_000d) : null);
            Add(ended, "id", e.CallId);
            if (await ended.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1)
            {
                return true;
            }
        }

        await using var exists = Command(connection, tx, "SELECT COUNT(*) FROM calls WHERE id = @id");
        Add(exists, "id", e.CallId);
        return Convert.ToInt64(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) == 0;
    }

    public async Task<IReadOnlyList<string>> ListOpenCallsAsync(string nodeId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Command(connection, null, "SELECT id FROM calls WHERE node_id = @node AND ended_at IS NULL ORDER BY started_at, id");
        Add(cmd, "node", nodeId);
        return await ReadAllAsync(cmd, static r => r.GetString(0), cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> CloseOpenCallAsync(CallEvent ended, string nodeId, CancellationToken cancellationToken)
    {
        if (ended.Type != CallEventType.CallEnded)
        {
            throw new ArgumentException("only a CallEnded event closes a call", nameof(ended));
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // The claim: only the transaction that still finds the call open (and this node's) goes on, holding the row (a no-op
        // update) until the end is appended below. On PostgreSQL a second node's same update waits on the row lock, then finds
        // ended_at set; on SQLite writers are serialised anyway.
        await using (var claim = Command(connection, tx, "UPDATE calls SET node_id = node_id WHERE id = @id AND node_id = @node AND ended_at IS NULL"))
        {
            Add(claim, "id", ended.CallId);
            Add(claim, "node", nodeId);
            if (await claim.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                await tx.RollbackAsync(cancellationToken).ConfigureAwait(false);
                return false;
            }
        }

        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var deliveries = await AppendAsync(connection, tx, ended, counts, cancellationToken).ConfigureAwait(false);
        if (counts.Count == 0)
        {
            // Its sequence is taken: the caller read a stale journal. Nothing is closed.
            await tx.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return false;
        }

        await using (var update = Command(connection, tx, "UPDATE calls SET event_count = event_count + 1 WHERE id = @id"))
        {
            Add(update, "id", ended.CallId);
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        if (deliveries > 0)
        {
            WebhookEnqueued.Notify();
        }

        return true;
    }

    public async Task<IReadOnlyList<CallEvent>> ReadEventsAsync(string callId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Command(connection, null, "SELECT body FROM call_events WHERE call_id = @call ORDER BY seq");
        Add(cmd, "call", callId);
        var bodies = await ReadAllAsync(cmd, r => r.GetString(0), cancellationToken).ConfigureAwait(false);
        var events = new List<CallEvent>(bodies.Count);
        foreach (var body in bodies)
        {
            if (JsonSerializer.Deserialize(body, CallEventJsonContext.Default.CallEvent) is { } e)
            {
                events.Add(e);
            }
        }

        return events;
    }

    public async Task<CallRecord?> GetCallAsync(Guid? teamId, string callId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Command(connection, null,
            $"SELECT {CallColumns} FROM calls WHERE id = @id" + (teamId is null ? "" : " AND team_id = @team"));
        Add(cmd, "id", callId);
        if (teamId is { } team)
        {
            Add(cmd, "team", team);
        }

        return (await ReadAllAsync(cmd, ReadCall, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
    }

    public async Task<Page<CallRecord>> ListCallsAsync(Guid? teamId, int offset, int limit, CancellationToken cancellationToken)
    {
        var where = teamId is null ? "" : " WHERE team_id = @team";
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        long total;
        await using (var count = Command(connection, null, "SELECT COUNT(*) FROM calls" + where))
        {
            if (teamId is { } team)
            {
                Add(count, "team", team);
            }

            total = await ScalarLongAsync(count, cancellationToken).ConfigureAwait(false);
        }

        await using var cmd = Command(connection, null, $"SELECT {CallColumns} FROM calls{where} ORDER BY started_at DESC, id LIMIT @limit OFFSET @offset");
        if (teamId is { } t)
        {
            Add(cmd, "team", t);
        }

        Add(cmd, "limit", limit);
        Add(cmd, "offset", offset);
        return new Page<CallRecord>(await ReadAllAsync(cmd, ReadCall, cancellationToken).ConfigureAwait(false), total);
    }

    public async Task<IReadOnlyList<CallUsage>> ListUsageAsync(Guid teamId, Guid? endpointId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Command(connection, null,
            "SELECT endpoint_id, started_at, duration_ms, cost_micros, refused FROM calls WHERE team_id = @team AND started_at >= @from AND started_at < @to"
            + (endpointId is null ? "" : " AND endpoint_id = @endpoint"));
        Add(cmd, "team", teamId);
        Add(cmd, "from", from);
        Add(cmd, "to", to);
        if (endpointId is { } endpoint)
        {
            Add(cmd, "endpoint", endpoint);
        }

        return await ReadAllAsync(cmd, static r => new CallUsage(ReadOptionalGuid(r, 0), ReadTime(r, 1), r.IsDBNull(2) ? null : r.GetInt64(2),
            r.IsDBNull(3) ? null : r.GetInt64(3) / 1_000_000d, r.GetInt64(4) != 0), cancellationToken).ConfigureAwait(false);
    }

    private static string? Data(CallEvent e, string key) => e.Data is { } data && data.TryGetValue(key, out var value) ? value : null;

    private static CallRecord ReadCall(DbDataReader r) => new()
    {
        Id = r.GetString(0),
        TeamId = ReadOptionalGuid(r, 1),
        EndpointId = ReadOptionalGuid(r, 2),
        Channel = r.GetString(3),
        CarrierCallId = ReadOptionalString(r, 4),
        From = ReadOptionalString(r, 5),
        To = ReadOptionalString(r, 6),
        StartedAt = ReadTime(r, 7),
        EndedAt = ReadOptionalTime(r, 8),
        EndReason = ReadOptionalString(r, 9),
        EventCount = r.GetInt64(10),
        DurationMs = r.IsDBNull(11) ? null : r.GetInt64(11),
        CostUsd = r.IsDBNull(12) ? null : r.GetInt64(12) / 1_000_000d,
        Refused = r.GetInt64(13) != 0,
        Metadata = ReadOptionalString(r, 14),
        NodeId = ReadOptionalString(r, 15),
    };
}
