namespace Switchboard.Server.Api;

/// <summary>Body of <c>POST /api/v1/webhooks</c>.</summary>
internal sealed record CreateWebhookRequest
{
    /// <summary>Absolute http(s) URL the deliveries are POSTed to (at most 2000 characters). Redirects are not followed.</summary>
    public required string Url { get; init; }

    /// <summary>Event types to receive (at least one): call.started, call.ended, call.artifact, handoff.hot, tool.failed.</summary>
    public required IReadOnlyList<string> EventTypes { get; init; }

    /// <summary>Only this endpoint's events (an endpoint of the caller's team); omitted or null for every endpoint of the team.</summary>
    public Guid? EndpointId { get; init; }
}
