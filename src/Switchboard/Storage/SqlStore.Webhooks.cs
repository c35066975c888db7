using System.Data.Common;
using System.Security.Cryptography;
using Switchboard.Common;
using Switchboard.Webhooks;

namespace Switchboard.Storage;

internal abstract partial class SqlStore
{
    private const string SubscriptionColumns = "id, team_id, endpoint_id, url, event_types, secret, created_at, disabled_at";
    private const string DeliveryColumns = "d.id, d.subscription_id, d.event_type, d.payload, d.status, d.attempts, d.next_attempt_at, d.last_status, d.last_error, d.created_at, d.delivered_at";

    // last_error is an excerpt, not a log: a receiver's error page must not fill the table.
    private const int MaxErrorLength = 500;

    public WebhookSignal WebhookEnqueued { get; } = new();

    public async Task CreateWebhookSubscriptionAsync(WebhookSubscription subscription, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Command(connection, null,
            $"INSERT INTO webhook_subscriptions ({SubscriptionColumns}) VALUES (@id, @team, @endpoint, @url, @types, @secret, @created, @disabled)");
        Add(cmd, "id", subscription.Id);
        Add(cmd, "team", subscription.TeamId);
        Add(cmd, "endpoint", subscription.EndpointId);
        Add(cmd, "url", subscription.Url);
        Add(cmd, "types", string.Join(' ', subscription.EventTypes));
        Add(cmd, "secret", subscription.Secret);
        Add(cmd, "created", subscription.CreatedAt);
        Add(cmd, "disabled", subscription.DisabledAt);
        try
        {
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbException ex) when (Dialect.IsUniqueViolation(ex))
        {
            throw new StoreConflictException("a webhook subscription with this id already exists", ex);
        }
    }

    public async Task<WebhookSubscription?> GetWebhookSubscriptionAsync(Guid teamId, Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Command(connection, null, $"SELECT {SubscriptionColumns} FROM webhook_subscriptions WHERE id = @id AND team_id = @team AND kind = 'webhook' AND disabled_at IS NULL");
        Add(cmd, "id", id);
        Add(cmd, "team", teamId);
        return (await ReadAllAsync(cmd, ReadSubscription, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
    }

    public async Task<IReadOnlyList<WebhookSubscription>> ListWebhookSubscriptionsAsync(Guid teamId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Command(connection, null, $"SELECT {SubscriptionColumns} FROM webhook_subscriptions WHERE team_id = @team AND kind = 'webhook' AND disabled_at IS NULL ORDER BY created_at, id");
        Add(cmd, "team", teamId);
        return await ReadAllAsync(cmd, ReadSubscription, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> DeleteWebhookSubscriptionAsync(Guid teamId, Guid id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var disable = Command(connection, tx, "UPDATE webhook_subscriptions SET disabled_at = @at WHERE id = @id AND team_id = @team AND kind = 'webhook' AND disabled_at IS NULL"))
        {
            Add(disable, "at", at);
            Add(disable, "id", id);
            Add(disable, "team", teamId);
            if (await disable.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                return false;
            }
        }

        await using (var fail = Command(connection, tx,
            "UPDATE webhook_deliveries SET status = @failed, last_error = @error, locked_until = NULL, lease_token = NULL WHERE subscription_id = @id AND status = @pending"))
        {
            Add(fail, "failed", WebhookDeliveryStatus.Failed);
            Add(fail, "error", "subscription deleted");
            Add(fail, "id", id);
            Add(fail, "pending", WebhookDeliveryStatus.Pending);
            await fail.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task<int> EnqueueWebhookEventAsync(WebhookEvent webhookEvent, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var count = await EnqueueWebhookAsync(connection, tx, webhookEvent, at, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        if (count > 0)
        {
            WebhookEnqueued.Notify();
        }

        return count;
    }

    /// <summary>
    /// Inserts one pending delivery per active subscription matching the event, inside the caller's transaction, so a
    /// delivery exists exactly when the change it announces is committed. Any later feature that writes state and
    /// announces it (the post-call artifact, a hot hand-off) calls this in its own transaction.
    /// </summary>
    protected async Task<int> EnqueueWebhookAsync(DbConnection connection, DbTransaction tx, WebhookEvent webhookEvent, DateTimeOffset at, CancellationToken cancellationToken)
    {
        List<(string Id, Guid? Endpoint, string Types)> candidates;
        await using (var select = Command(connection, tx, "SELECT id, endpoint_id, event_types FROM webhook_subscriptions WHERE team_id = @team AND kind = 'webhook' AND disabled_at IS NULL ORDER BY created_at, id"))
        {
            Add(select, "team", webhookEvent.TeamId);
            candidates = await ReadAllAsync(select, r => (r.GetString(0), ReadOptionalGuid(r, 1), r.GetString(2)), cancellationToken).ConfigureAwait(false);
        }

        var count = 0;
        foreach (var (subscriptionId, endpoint, types) in candidates)
        {
            if ((endpoint is not null && endpoint != webhookEvent.EndpointId) || !types.Split(' ').Contains(webhookEvent.Type, StringComparer.Ordinal))
            {
                continue;
            }

            await InsertDeliveryAsync(connection, tx, subscriptionId, webhookEvent, at, cancellationToken).ConfigureAwait(false);
            count++;
        }

        if (webhookEvent.HandoffUrl is { } handoffUrl)
        {
            count += await EnqueueHandoffAsync(connection, tx, webhookEvent, handoffUrl, at, cancellationToken).ConfigureAwait(false);
        }

        return count;
    }

    /// <summary>
    /// The hand-off target's own delivery of a <c>handoff.hot</c> body: through a hidden subscription of kind <c>handoff</c>
    /// per team, URL and token reference (made on first use, not listed by the webhooks API), so it is retried, leased and
    /// listed among the team's deliveries exactly like a webhook.
    /// </summary>
    private async Task<int> EnqueueHandoffAsync(DbConnection connection, DbTransaction tx, WebhookEvent webhookEvent, string url, DateTimeOffset at, CancellationToken cancellationToken)
    {
        string? subscriptionId;
        await using (var find = Command(connection, tx,
            "SELECT id FROM webhook_subscriptions WHERE team_id = @team AND kind = 'handoff' AND url = @url AND "
            + (webhookEvent.HandoffAuth is null ? "auth_ref IS NULL" : "auth_ref = @auth") + " AND disabled_at IS NULL ORDER BY created_at, id LIMIT 1"))
        {
            Add(find, "team", webhookEvent.TeamId);
            Add(find, "url", url);
            if (webhookEvent.HandoffAuth is { } auth)
            {
                Add(find, "auth", auth);
            }

            subscriptionId = await find.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        }

        if (subscriptionId is null)
        {
            subscriptionId = Guid.NewGuid().ToString("D");
            await using var create = Command(connection, tx,
                $"INSERT INTO webhook_subscriptions ({SubscriptionColumns}, kind, auth_ref) VALUES (@id, @team, NULL, @url, @types, @secret, @created, NULL, 'handoff', @auth)");
            Add(create, "id", subscriptionId);
            Add(create, "team", webhookEvent.TeamId);
            Add(create, "url", url);
            Add(create, "types", WebhookEventTypes.HandoffHot);
            Add(create, "secret", WebhookSecret.Generate());
            Add(create, "created", at);
            Add(create, "auth", webhookEvent.HandoffAuth);
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await InsertDeliveryAsync(connection, tx, subscriptionId, webhookEvent, at, cancellationToken).ConfigureAwait(false);
        return 1;
    }

    /// <summary>One pending delivery of <paramref name="webhookEvent"/> to a subscription, due at once.</summary>
    private static async Task InsertDeliveryAsync(DbConnection connection, DbTransaction tx, string subscriptionId, WebhookEvent webhookEvent, DateTimeOffset at,
        CancellationToken cancellationToken)
    {
        await using var insert = Command(connection, tx,
            "INSERT INTO webhook_deliveries (id, subscription_id, event_type, payload, status, attempts, next_attempt_at, created_at) VALUES (@id, @sub, @type, @payload, @status, 0, @at, @at)");
        Add(insert, "id", NewDeliveryId());
        Add(insert, "sub", subscriptionId);
        Add(insert, "type", webhookEvent.Type);
        Add(insert, "payload", webhookEvent.Body);
        Add(insert, "status", WebhookDeliveryStatus.Pending);
        Add(insert, "at", at);
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ClaimedDelivery>> ClaimWebhookDeliveriesAsync(string leaseToken, DateTimeOffset now, DateTimeOffset leaseUntil, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        List<string> due;
        await using (var select = Command(connection, tx,
            "SELECT d.id FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id " +
            "WHERE d.status = @pending AND d.next_attempt_at <= @now AND (d.locked_until IS NULL OR d.locked_until <= @now) AND s.disabled_at IS NULL " +
            "ORDER BY d.next_attempt_at, d.id LIMIT @limit"))
        {
            Add(select, "pending", WebhookDeliveryStatus.Pending);
            Add(select, "now", now);
            Add(select, "limit", limit);
            due = await ReadAllAsync(select, r => r.GetString(0), cancellationToken).ConfigureAwait(false);
        }

        // The conditions are checked again by each UPDATE: on PostgreSQL a node that lost the race for a row re-reads it
        // after the winner commits and then updates nothing; SQLite runs one writer at a time.
        var claimed = 0;
        foreach (var id in due)
        {
            await using var lease = Command(connection, tx,
                "UPDATE webhook_deliveries SET locked_until = @until, lease_token = @token, attempts = attempts + 1 " +
                "WHERE id = @id AND status = @pending AND next_attempt_at <= @now AND (locked_until IS NULL OR locked_until <= @now)");
            Add(lease, "until", leaseUntil);
            Add(lease, "token", leaseToken);
            Add(lease, "id", id);
            Add(lease, "pending", WebhookDeliveryStatus.Pending);
            Add(lease, "now", now);
            claimed += await lease.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        List<ClaimedDelivery> result = [];
        if (claimed > 0)
        {
            await using var read = Command(connection, tx,
                "SELECT d.id, d.event_type, d.payload, d.attempts, s.url, s.secret, s.auth_ref FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id " +
                "WHERE d.lease_token = @token ORDER BY d.next_attempt_at, d.id");
            Add(read, "token", leaseToken);
            result = await ReadAllAsync(read, r => new ClaimedDelivery(r.GetString(0), r.GetString(1), r.GetString(2), (int)r.GetInt64(3), r.GetString(4), r.GetString(5), leaseToken)
            {
                AuthRef = ReadOptionalString(r, 6),
            }, cancellationToken).ConfigureAwait(false);
        }

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    public async Task<bool> CompleteWebhookDeliveryAsync(string id, string leaseToken, bool delivered, DateTimeOffset at, DateTimeOffset? nextAttemptAt, int? lastStatus, string? lastError, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Command(connection, null,
            "UPDATE webhook_deliveries SET status = @status, next_attempt_at = COALESCE(@next, next_attempt_at), locked_until = NULL, lease_token = NULL, " +
            "last_status = @last_status, last_error = @last_error, delivered_at = @delivered_at WHERE id = @id AND lease_token = @token");
        Add(cmd, "status", delivered ? WebhookDeliveryStatus.Delivered : nextAttemptAt is null ? WebhookDeliveryStatus.Failed : WebhookDeliveryStatus.Pending);
        Add(cmd, "next", delivered ? null : nextAttemptAt);
        Add(cmd, "last_status", lastStatus);
        Add(cmd, "last_error", lastError is { Length: > MaxErrorLength } ? lastError[..MaxErrorLength] + "…" : lastError);
        Add(cmd, "delivered_at", delivered ? at : null);
        Add(cmd, "id", id);
        Add(cmd, "token", leaseToken);
        return await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    public async Task ReleaseWebhookLeaseAsync(string id, string leaseToken, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Command(connection, null, "UPDATE webhook_deliveries SET locked_until = NULL, lease_token = NULL WHERE id = @id AND lease_token = @token");
        Add(cmd, "id", id);
        Add(cmd, "token", leaseToken);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<DateTimeOffset?> NextWebhookDueAtAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Command(connection, null,
            "SELECT MIN(CASE WHEN d.locked_until IS NOT NULL AND d.locked_until > d.next_attempt_at THEN d.locked_until ELSE d.next_attempt_at END) " +
            "FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id WHERE d.status = @pending AND s.disabled_at IS NULL");
        Add(cmd, "pending", WebhookDeliveryStatus.Pending);
        var value = await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is null or DBNull ? null : DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
    }

    public async Task<Page<WebhookDelivery>> ListWebhookDeliveriesAsync(Guid? teamId, string? status, int offset, int limit, CancellationToken cancellationToken)
    {
        var where = " WHERE 1 = 1" + (teamId is null ? "" : " AND s.team_id = @team") + (status is null ? "" : " AND d.status = @status");
        const string from = " FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id";
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        long total;
        await using (var count = Command(connection, null, "SELECT COUNT(*)" + from + where))
        {
            AddFilters(count, teamId, status);
            total = await ScalarLongAsync(count, cancellationToken).ConfigureAwait(false);
        }

        await using var cmd = Command(connection, null, $"SELECT {DeliveryColumns}{from}{where} ORDER BY d.created_at DESC, d.id LIMIT @limit OFFSET @offset");
        AddFilters(cmd, teamId, status);
        Add(cmd, "limit", limit);
        Add(cmd, "offset", offset);
        return new Page<WebhookDelivery>(await ReadAllAsync(cmd, ReadDelivery, cancellationToken).ConfigureAwait(false), total);

        static void AddFilters(DbCommand cmd, Guid? teamId, string? status)
        {
            if (teamId is { } team)
            {
                Add(cmd, "team", team);
            }

            if (status is not null)
            {
                Add(cmd, "status", status);
            }
        }
    }

    public async Task<WebhookDelivery?> GetWebhookDeliveryAsync(Guid? teamId, string id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Command(connection, null,
            $"SELECT {DeliveryColumns} FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id WHERE d.id = @id" + (teamId is null ? "" : " AND s.team_id = @team"));
        Add(cmd, "id", id);
        if (teamId is { } team)
        {
            Add(cmd, "team", team);
        }

        return (await ReadAllAsync(cmd, ReadDelivery, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
    }

    public async Task<DeliveryRetryResult> RetryWebhookDeliveryAsync(Guid? teamId, string id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        (string Status, bool Disabled)? found;
        await using (var read = Command(connection, tx,
            "SELECT d.status, s.disabled_at FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id WHERE d.id = @id" + (teamId is null ? "" : " AND s.team_id = @team")))
        {
            Add(read, "id", id);
            if (teamId is { } team)
            {
                Add(read, "team", team);
            }

            found = (await ReadAllAsync(read, r => (r.GetString(0), !r.IsDBNull(1)), cancellationToken).ConfigureAwait(false)).Select(x => ((string, bool)?)x).FirstOrDefault();
        }

        var result = found switch
        {
            null => DeliveryRetryResult.NotFound,
            { Status: WebhookDeliveryStatus.Delivered } => DeliveryRetryResult.AlreadyDelivered,
            { Disabled: true } => DeliveryRetryResult.SubscriptionDeleted,
            _ => DeliveryRetryResult.Scheduled,
        };
        if (result == DeliveryRetryResult.Scheduled)
        {
            await using var update = Command(connection, tx, "UPDATE webhook_deliveries SET status = @pending, next_attempt_at = @now WHERE id = @id AND status <> @delivered");
            Add(update, "pending", WebhookDeliveryStatus.Pending);
            Add(update, "now", now);
            Add(update, "id", id);
            Add(update, "delivered", WebhookDeliveryStatus.Delivered);
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        if (result == DeliveryRetryResult.Scheduled)
        {
            WebhookEnqueued.Notify();
        }

        return result;
    }

    /// <summary><c>msg_</c> + 32 hex digits of randomness.</summary>
    private static string NewDeliveryId() => "msg_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private static WebhookSubscription ReadSubscription(DbDataReader r) => new()
    {
        Id = Guid.Parse(r.GetString(0)),
        TeamId = Guid.Parse(r.GetString(1)),
        EndpointId = ReadOptionalGuid(r, 2),
        Url = r.GetString(3),
        EventTypes = r.GetString(4).Split(' ', StringSplitOptions.RemoveEmptyEntries),
        Secret = r.GetString(5),
        CreatedAt = ReadTime(r, 6),
        DisabledAt = ReadOptionalTime(r, 7),
    };

    private static WebhookDelivery ReadDelivery(DbDataReader r) => new()
    {
        Id = r.GetString(0),
        SubscriptionId = Guid.Parse(r.GetString(1)),
        EventType = r.GetString(2),
        Payload = r.GetString(3),
        Status = r.GetString(4),
        Attempts = (int)r.GetInt64(5),
        NextAttemptAt = ReadTime(r, 6),
        LastStatus = r.IsDBNull(7) ? null : (int)r.GetInt64(7),
        LastError = ReadOptionalString(r, 8),
        CreatedAt = ReadTime(r, 9),
        DeliveredAt = ReadOptionalTime(r, 10),
    };
}
