namespace Switchboard.Webhooks;

/// <summary>
/// An event to announce: every active subscription of <see cref="TeamId"/> that takes <see cref="Type"/> (and names
/// <see cref="EndpointId"/> or no endpoint) gets one delivery of <see cref="Body"/>.
/// </summary>
/// <param name="Type">One of <see cref="WebhookEventTypes.All"/>.</param>
/// <param name="TeamId">The team whose subscriptions receive it.</param>
/// <param name="EndpointId">The endpoint the event is about, if any.</param>
/// <param name="Body">The whole JSON body (built by <see cref="WebhookPayloads"/>).</param>
internal sealed record WebhookEvent(string Type, Guid TeamId, Guid? EndpointId, string Body)
{
    /// <summary>For <c>handoff.hot</c>: the call's hand-off target, which gets its own delivery of the same body.</summary>
    public string? HandoffUrl { get; init; }

    /// <summary>The reference to the bearer token that goes with <see cref="HandoffUrl"/> (never the token).</summary>
    public string? HandoffAuth { get; init; }
}
