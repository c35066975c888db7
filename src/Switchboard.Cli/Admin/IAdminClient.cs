using System.Text.Json.Nodes;
using Switchboard.Limits;
using Switchboard.Server.Api;

namespace Switchboard.Cli.Admin;

/// <summary>
/// What the admin commands do, in either mode: <see cref="LocalAdminClient"/> opens the gateway's database
/// directly, <see cref="HttpAdminClient"/> calls the REST API. Both act for one team (local: the default team
/// or <c>--team</c>; remote: the API key's team) and report failures as <see cref="AdminException"/>.
/// </summary>
internal interface IAdminClient : IAsyncDisposable
{
    /// <summary>Creates a key; the plaintext is in the result and nowhere else.</summary>
    Task<CreatedKeyResponse> CreateKeyAsync(string name, IReadOnlyList<string> scopes, CancellationToken cancellationToken);

    Task<IReadOnlyList<KeyResponse>> ListKeysAsync(CancellationToken cancellationToken);

    /// <summary>Revokes the key with this id or public prefix (<c>sb_xxxxxxxx</c>); revoking twice is not an error.</summary>
    Task<KeyRevocation> RevokeKeyAsync(string idOrPrefix, CancellationToken cancellationToken);

    Task<EndpointList> ListEndpointsAsync(int page, int limit, CancellationToken cancellationToken);

    /// <summary>The endpoint with this id, or else this name.</summary>
    Task<EndpointView> GetEndpointAsync(string idOrName, CancellationToken cancellationToken);

    /// <summary>Creates an endpoint from a <c>POST /api/v1/endpoints</c> body (<c>name</c>, optional <c>isDefault</c>, spec fields).</summary>
    Task<EndpointView> CreateEndpointAsync(JsonObject body, CancellationToken cancellationToken);

    /// <summary>Changes only the top-level fields present in <paramref name="patch"/> (a <c>PATCH</c> body).</summary>
    Task<EndpointView> UpdateEndpointAsync(string idOrName, JsonObject patch, CancellationToken cancellationToken);

    /// <summary>Deletes the endpoint and returns what it was.</summary>
    Task<EndpointView> DeleteEndpointAsync(string idOrName, CancellationToken cancellationToken);

    /// <summary>Calls, newest first.</summary>
    Task<CallListResponse> ListCallsAsync(int page, int limit, CancellationToken cancellationToken);

    Task<CallDetail> GetCallAsync(string callId, CancellationToken cancellationToken);

    /// <summary>Calls running right now on the gateway that answers (remote mode only: they live in its memory, not in the database).</summary>
    Task<CallListResponse> ListLiveCallsAsync(int page, int limit, CancellationToken cancellationToken);

    /// <summary>Hangs up a live call after the agent's goodbye (<paramref name="say"/>, or its own words); remote mode only.</summary>
    Task<HangupResponse> HangUpCallAsync(string callId, string? reason, string? say, CancellationToken cancellationToken);

    /// <summary>Drains the gateway node this client talks to (<c>POST /api/v1/admin/drain</c>); repeating it reports the live calls left.</summary>
    Task<DrainResponse> DrainAsync(CancellationToken cancellationToken);

    /// <summary>The team this client acts for, with its limits.</summary>
    Task<TeamDetail> GetTeamAsync(CancellationToken cancellationToken);

    /// <summary>Changes the team's limits: the fields in <paramref name="limits"/> replace the stored ones, <c>null</c> resets one.</summary>
    Task<TeamDetail> UpdateTeamLimitsAsync(JsonObject limits, CancellationToken cancellationToken);

    /// <summary>Usage per day between <paramref name="from"/> and <paramref name="to"/> (API defaults when null), of one endpoint (id or name) or the whole team.</summary>
    Task<UsageReport> GetUsageAsync(string? from, string? to, string? endpoint, CancellationToken cancellationToken);

    /// <summary>Subscribes <paramref name="url"/> to event types, for the team or one endpoint (id or name); the secret is in the result and nowhere else.</summary>
    Task<CreatedWebhookResponse> CreateWebhookAsync(string url, IReadOnlyList<string> eventTypes, string? endpoint, CancellationToken cancellationToken);

    Task<IReadOnlyList<WebhookResponse>> ListWebhooksAsync(CancellationToken cancellationToken);

    /// <summary>Deletes a subscription (its pending deliveries fail) and returns what it was.</summary>
    Task<WebhookResponse> DeleteWebhookAsync(string id, CancellationToken cancellationToken);

    /// <summary>Deliveries, newest first, optionally with one status.</summary>
    Task<WebhookDeliveryListResponse> ListDeliveriesAsync(string? status, int page, int limit, CancellationToken cancellationToken);

    /// <summary>Makes a pending or failed delivery due now.</summary>
    Task<WebhookDeliveryResponse> RetryDeliveryAsync(string id, CancellationToken cancellationToken);
}
