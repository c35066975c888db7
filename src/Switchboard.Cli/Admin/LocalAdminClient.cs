using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Agents;
using Switchboard.Common;
using Switchboard.Control;
using Switchboard.Journal;
using Switchboard.Limits;
using Switchboard.Network;
using Switchboard.Server.Api;
using Switchboard.Storage;
using Switchboard.Webhooks;

namespace Switchboard.Cli.Admin;

/// <summary>
/// The admin operations straight over the gateway's database, for the operator on the gateway's machine. The rules
/// are the REST API's own (<see cref="ApiKeyAdmin"/>, <see cref="EndpointAdmin"/>, <see cref="WebhookAdmin"/>: validation,
/// uniqueness, tenant isolation, the default endpoint cannot be deleted), because a CLI that could do what the API
/// refuses would be a way around it. This class only maps their refusals to <see cref="AdminException"/>s worded for
/// the command line.
/// </summary>
internal sealed class LocalAdminClient : IAdminClient
{
    private const int MaxTeamNameLength = 100;
    private readonly IStore _store;
    private readonly TimeProvider _time;
    private readonly bool _allTeams;
    private readonly ApiKeyAdmin _keys;
    private readonly EndpointAdmin _endpoints;
    private readonly WebhookAdmin _webhooks;
    private readonly TeamAdmin _teams;
    private readonly UsageAdmin _usage;

    /// <param name="store">The opened, migrated store; disposed with this client when it is disposable.</param>
    /// <param name="team">The team every operation acts for.</param>
    /// <param name="defaultTeam">The gateway's default team (from the bootstrap).</param>
    /// <param name="time">The clock for timestamps.</param>
    /// <param name="allTeams">Calls of every team (and calls attributed to none), for the gateway's operator.</param>
    /// <param name="outbound">The gateway's outbound policy, which webhook, tool and remote configuration URLs must pass (strict when null).</param>
    public LocalAdminClient(IStore store, Team team, Team defaultTeam, TimeProvider time, bool allTeams = false, OutboundPolicy? outbound = null)
    {
        _store = store;
        Team = team;
        DefaultTeam = defaultTeam;
        _time = time;
        _allTeams = allTeams;
        _keys = new ApiKeyAdmin(store, time);
        _endpoints = new EndpointAdmin(store, time, outbound);
        _webhooks = new WebhookAdmin(store, store, time, outbound);
        _teams = new TeamAdmin(store);
        _usage = new UsageAdmin(store, store, store, time);
    }

    /// <summary>The team this client acts for.</summary>
    public Team Team { get; }

    /// <summary>The gateway's default team.</summary>
    public Team DefaultTeam { get; }

    /// <summary>Deliveries and calls of this team, or of every team for the operator (<c>--all-teams</c>).</summary>
    private Guid? Scope => _allTeams ? null : Team.Id;

    public async Task<CreatedKeyResponse> CreateKeyAsync(string name, IReadOnlyList<string> scopes, CancellationToken cancellationToken) =>
        (await _keys.CreateAsync(Team.Id, name, scopes, cancellationToken).ConfigureAwait(false)).Succeeded(out var created, out var error)
            ? CreatedKeyResponse.From(created)
            : throw Refused(error);

    public async Task<IReadOnlyList<KeyResponse>> ListKeysAsync(CancellationToken cancellationToken) =>
        (await _keys.ListAsync(Team.Id, cancellationToken).ConfigureAwait(false)).Select(KeyResponse.From).ToList();

    public async Task<KeyRevocation> RevokeKeyAsync(string idOrPrefix, CancellationToken cancellationToken)
    {
        var key = await _keys.FindAsync(Team.Id, idOrPrefix, cancellationToken).ConfigureAwait(false) ?? throw KeyNotFound(idOrPrefix);
        if (!(await _keys.RevokeAsync(Team.Id, key.Id, cancellationToken).ConfigureAwait(false)).Succeeded(out var revocation, out _))
        {
            throw KeyNotFound(idOrPrefix);
        }

        return new KeyRevocation(KeyResponse.From(revocation.Key), revocation.WasAlreadyRevoked);
    }

    public async Task<EndpointList> ListEndpointsAsync(int page, int limit, CancellationToken cancellationToken)
    {
        var request = new PageRequest(page, limit);
        var result = await _endpoints.ListAsync(Team.Id, request, cancellationToken).ConfigureAwait(false);
        return new EndpointList(result.Items.Select(EndpointView.From).ToList(), PaginationInfo.For(request, result.Total));
    }

    public async Task<EndpointView> GetEndpointAsync(string idOrName, CancellationToken cancellationToken) =>
        EndpointView.From(await FindEndpointAsync(idOrName, cancellationToken).ConfigureAwait(false));

    public async Task<EndpointView> CreateEndpointAsync(JsonObject body, CancellationToken cancellationToken) =>
        (await _endpoints.CreateAsync(Team.Id, body, cancellationToken).ConfigureAwait(false)).Succeeded(out var endpoint, out var error)
            ? EndpointView.From(endpoint)
            : throw EndpointRefused(error, "");

    public async Task<EndpointView> UpdateEndpointAsync(string idOrName, JsonObject patch, CancellationToken cancellationToken)
    {
        var current = await FindEndpointAsync(idOrName, cancellationToken).ConfigureAwait(false);
        return (await _endpoints.UpdateAsync(current, patch, merge: true, cancellationToken).ConfigureAwait(false)).Succeeded(out var updated, out var error)
            ? EndpointView.From(updated)
            : throw EndpointRefused(error, idOrName, error.Status == AdminStatus.DefaultEndpoint
                ? $"'{current.Name}' is the team's default endpoint; make another endpoint the default instead (endpoints update <other> --default)"
                : null);
    }

    public async Task<EndpointView> DeleteEndpointAsync(string idOrName, CancellationToken cancellationToken)
    {
        var endpoint = await FindEndpointAsync(idOrName, cancellationToken).ConfigureAwait(false);
        return (await _endpoints.DeleteAsync(endpoint, cancellationToken).ConfigureAwait(false)).Succeeded(out var deleted, out var error)
            ? EndpointView.From(deleted)
            : throw EndpointRefused(error, idOrName, error.Status == AdminStatus.DefaultEndpoint
                ? $"'{endpoint.Name}' is the team's default endpoint and cannot be deleted; make another endpoint the default first (endpoints update <other> --default)"
                : null);
    }

    public async Task<CallListResponse> ListCallsAsync(int page, int limit, CancellationToken cancellationToken)
    {
        var request = new PageRequest(page, limit);
        var result = await _store.ListCallsAsync(Scope, request.Offset, request.Limit, cancellationToken).ConfigureAwait(false);
        return new CallListResponse(result.Items.Select(CallResponse.Summarize).ToList(), PaginationInfo.For(request, result.Total));
    }

    public async Task<CallDetail> GetCallAsync(string callId, CancellationToken cancellationToken)
    {
        var call = await _store.GetCallAsync(Scope, callId, cancellationToken).ConfigureAwait(false)
            ?? throw AdminException.NotFound($"no call '{callId}' in team '{Team.Name}'");
        var events = await _store.ReadEventsAsync(call.Id, cancellationToken).ConfigureAwait(false);
        var transcript = CallTranscript.Build(events).Select(TranscriptTurnResponse.From).ToList();
        return new CallDetail(CallResponse.Summarize(call), transcript, JsonSerializer.SerializeToElement(events, AdminJson.Context.IReadOnlyListCallEvent));
    }

    public Task<CallListResponse> ListLiveCallsAsync(int page, int limit, CancellationToken cancellationToken) => throw LiveCallsAreRemote();

    public Task<HangupResponse> HangUpCallAsync(string callId, string? reason, string? say, CancellationToken cancellationToken) => throw LiveCallsAreRemote();

    public Task<DrainResponse> DrainAsync(CancellationToken cancellationToken) => throw AdminException.Invalid(DrainNeedsTheGateway);

    public async Task<TeamDetail> GetTeamAsync(CancellationToken cancellationToken)
    {
        var team = await _teams.GetAsync(Team.Id, cancellationToken).ConfigureAwait(false) ?? throw AdminException.NotFound($"team '{Team.Name}' no longer exists");
        return new TeamDetail(team.Id, team.Name, null, team.Limits);
    }

    public async Task<TeamDetail> UpdateTeamLimitsAsync(JsonObject limits, CancellationToken cancellationToken)
    {
        var team = await _teams.GetAsync(Team.Id, cancellationToken).ConfigureAwait(false) ?? throw AdminException.NotFound($"team '{Team.Name}' no longer exists");
        var body = new JsonObject { ["limits"] = limits.DeepClone() };
        if (!(await _teams.UpdateAsync(team, body, cancellationToken).ConfigureAwait(false)).Succeeded(out var updated, out var error))
        {
            throw error.Status == AdminStatus.Invalid
                ? AdminException.Invalid("the team's limits are invalid", error.Errors)
                : Refused(error, $"team '{Team.Name}' no longer exists");
        }

        return new TeamDetail(updated.Id, updated.Name, null, updated.Limits);
    }

    public async Task<UsageReport> GetUsageAsync(string? from, string? to, string? endpoint, CancellationToken cancellationToken)
    {
        string? endpointId = null;
        if (endpoint is not null)
        {
            endpointId = (await FindEndpointAsync(endpoint, cancellationToken).ConfigureAwait(false)).Id.ToString("D");
        }

        return (await _usage.ReportAsync(Team.Id, from, to, endpointId, cancellationToken).ConfigureAwait(false)).Succeeded(out var report, out var error)
            ? report
            : throw Refused(error);
    }

    public async Task<CreatedWebhookResponse> CreateWebhookAsync(string url, IReadOnlyList<string> eventTypes, string? endpoint, CancellationToken cancellationToken)
    {
        Guid? endpointId = null;
        if (endpoint is not null)
        {
            endpointId = (await FindEndpointAsync(endpoint, cancellationToken).ConfigureAwait(false)).Id;
        }

        if (!(await _webhooks.CreateAsync(Team.Id, url, eventTypes, endpointId, cancellationToken).ConfigureAwait(false)).Succeeded(out var subscription, out var error))
        {
            throw Refused(error);
        }

        return CreatedWebhookResponse.From(subscription);
    }

    public async Task<IReadOnlyList<WebhookResponse>> ListWebhooksAsync(CancellationToken cancellationToken) =>
        (await _webhooks.ListAsync(Team.Id, cancellationToken).ConfigureAwait(false)).Select(WebhookResponse.From).ToList();

    public async Task<WebhookResponse> DeleteWebhookAsync(string id, CancellationToken cancellationToken) =>
        (await _webhooks.DeleteAsync(Team.Id, id, cancellationToken).ConfigureAwait(false)).Succeeded(out var deleted, out var error)
            ? WebhookResponse.From(deleted)
            : throw Refused(error, $"no webhook '{id}' in team '{Team.Name}'");

    public async Task<WebhookDeliveryListResponse> ListDeliveriesAsync(string? status, int page, int limit, CancellationToken cancellationToken)
    {
        var request = new PageRequest(page, limit);
        return (await _webhooks.ListDeliveriesAsync(Scope, status, request, cancellationToken).ConfigureAwait(false)).Succeeded(out var result, out var error)
            ? new WebhookDeliveryListResponse(result.Items.Select(WebhookDeliveryResponse.From).ToList(), PaginationInfo.For(request, result.Total))
            : throw Refused(error);
    }

    public async Task<WebhookDeliveryResponse> RetryDeliveryAsync(string id, CancellationToken cancellationToken) =>
        (await _webhooks.RetryDeliveryAsync(Scope, id, cancellationToken).ConfigureAwait(false)).Succeeded(out var delivery, out var error)
            ? WebhookDeliveryResponse.From(delivery)
            : throw Refused(error, $"no delivery '{id}' in team '{Team.Name}'");

    /// <summary>The gateway's teams (local mode only: the REST API has no route for teams).</summary>
    public Task<IReadOnlyList<Team>> ListTeamsAsync(CancellationToken cancellationToken) => _store.ListTeamsAsync(cancellationToken);

    /// <summary>Creates a team (local mode only).</summary>
    public async Task<Team> CreateTeamAsync(string name, CancellationToken cancellationToken)
    {
        name = name.Trim();
        if (name.Length is 0 or > MaxTeamNameLength)
        {
            throw AdminException.Invalid($"the team name must be 1-{MaxTeamNameLength} characters");
        }

        var team = new Team(Guid.NewGuid(), name, StoreClock.Now(_time));
        try
        {
            await _store.CreateTeamAsync(team, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreConflictException ex)
        {
            throw AdminException.Conflict(ex.Message);
        }

        return team;
    }

    public async ValueTask DisposeAsync()
    {
        if (_store is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<AgentEndpoint> FindEndpointAsync(string idOrName, CancellationToken cancellationToken) =>
        await _endpoints.FindAsync(Team.Id, idOrName, cancellationToken).ConfigureAwait(false) ?? throw EndpointNotFound(idOrName);

    /// <summary>Why <c>drain</c> needs <c>--server</c>: draining is something a running node does.</summary>
    public const string DrainNeedsTheGateway =
        "draining is done by the running gateway node: run this against it with --server <url> (or $SWITCHBOARD_SERVER) and an ADMIN key of the default team";

    /// <summary>Why live calls need remote mode: they are in the running gateway's memory; the database only has their records.</summary>
    public const string LiveCallsNeedTheGateway =
        "live calls are in the running gateway's memory, not in its database: run this against the gateway with --server <url> " +
        "(or $SWITCHBOARD_SERVER) and a key holding MANAGE_CALLS (READ_CALLS may list them too)";

    private static AdminException LiveCallsAreRemote() => AdminException.Invalid(LiveCallsNeedTheGateway);

    private AdminException KeyNotFound(string idOrPrefix) => AdminException.NotFound($"no API key '{idOrPrefix}' in team '{Team.Name}'");

    private AdminException EndpointNotFound(string idOrName) => AdminException.NotFound($"no endpoint '{idOrName}' in team '{Team.Name}'");

    /// <summary>A refusal of the key or webhook rules: invalid input as one line (exit 2), anything else as the rule said it (exit 1).</summary>
    private static AdminException Refused(AdminError error, string? notFound = null) => error.Status switch
    {
        AdminStatus.Invalid => AdminException.Invalid(error.Detail),
        AdminStatus.NotFound => AdminException.NotFound(notFound ?? error.Detail),
        _ => AdminException.Conflict(error.Detail),
    };

    /// <summary>A refusal of the endpoint rules: every invalid field listed, the default endpoint's refusal with the command that helps.</summary>
    private AdminException EndpointRefused(AdminError error, string idOrName, string? defaultEndpoint = null) => error.Status switch
    {
        AdminStatus.Invalid => AdminException.Invalid("the endpoint has invalid fields", error.Errors),
        AdminStatus.NotFound => EndpointNotFound(idOrName),
        AdminStatus.DefaultEndpoint => AdminException.Conflict(defaultEndpoint ?? error.Detail),
        _ => AdminException.Conflict(error.Detail),
    };
}
