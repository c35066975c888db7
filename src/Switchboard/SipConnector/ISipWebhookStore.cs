namespace Switchboard.SipConnector;

/// <summary>
/// The durable memory of incoming-call webhooks, so a redelivery after a restart (or to another node) is still known: the
/// connector retries a webhook it thinks failed, and each call must be accepted, and its tools run, only once.
/// </summary>
internal interface ISipWebhookStore
{
    /// <summary>
    /// Records that webhook <paramref name="webhookId"/> brought call <paramref name="callId"/>; false when either was
    /// recorded before (a redelivery, or the same call announced twice).
    /// </summary>
    Task<bool> TryRecordIncomingCallAsync(string webhookId, string callId, DateTimeOffset receivedAt, CancellationToken cancellationToken);

    /// <summary>Forgets webhooks received before <paramref name="before"/>.</summary>
    Task PruneSipWebhooksAsync(DateTimeOffset before, CancellationToken cancellationToken);
}
