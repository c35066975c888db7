namespace Switchboard.Webhooks;

/// <summary>A delivery the dispatcher holds a lease on, with what it needs to send it.</summary>
/// <param name="Id">The delivery (<c>webhook-id</c>).</param>
/// <param name="EventType">For logs.</param>
/// <param name="Payload">The body to send.</param>
/// <param name="Attempt">This attempt's number (1 for the first).</param>
/// <param name="Url">The subscription's URL.</param>
/// <param name="Secret">The subscription's signing secret (never logged).</param>
/// <param name="LeaseToken">Proves the lease when the outcome is recorded.</param>
internal sealed record ClaimedDelivery(string Id, string EventType, string Payload, int Attempt, string Url, string Secret, string LeaseToken)
{
    /// <summary>A hand-off target's bearer token, by reference (resolved only when sending); null for webhooks.</summary>
    public string? AuthRef { get; init; }
}
