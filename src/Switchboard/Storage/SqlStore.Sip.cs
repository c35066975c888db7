namespace Switchboard.Storage;

/// <summary>The SIP connector's memory of incoming-call webhooks (<c>sip_webhooks</c>, migration 4).</summary>
internal abstract partial class SqlStore
{
    public async Task<bool> TryRecordIncomingCallAsync(string webhookId, string callId, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        // Either key seen before (the primary key or the unique call id) inserts nothing: a redelivery.
        await using var cmd = Command(connection, null,
            "INSERT INTO sip_webhooks (webhook_id, call_id, received_at) VALUES (@webhook, @call, @at) ON CONFLICT DO NOTHING");
        Add(cmd, "webhook", webhookId);
        Add(cmd, "call", callId);
        Add(cmd, "at", receivedAt);
        return await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task PruneSipWebhooksAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Command(connection, null, "DELETE FROM sip_webhooks WHERE received_at < @before");
        Add(cmd, "before", before);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
