using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Agents;
using Switchboard.Common;
using Switchboard.Control;
using Switchboard.Journal;
using Switchboard.Storage;
using Switchboard.Webhooks;

namespace Switchboard.Cli.Admin;

/// <summary>
/// The admin operations straight over the gateway's database, for the operator on the gateway's machine. It
/// applies the same rules the REST API promises (validation, uniqueness, tenant isolation, the default endpoint
/// cannot be deleted), because a CLI that could do what the API refuses would be a way around it.
/// </summary>
internal sealed class LocalAdminClient : IAdminClient
{
    private const int MaxNameLength = 100;
    private readonly IStore _store;
    private readonly TimeProvider _time;
    private readonly bool _allTeams;

    /// <param name="store">The opened, migrated store; disposed with this client when it is disposable.</param>
    /// <param name="team">The team every operation acts for.</param>
    /// <param name="defaultTeam">The gateway's default team (from the bootstrap).</param>
    /// <param name="time">The clock for timestamps.</param>
    /// <param name="allTeams">Calls of every team (and calls attributed to none), for the gateway's operator.</param>
    public LocalAdminClient(IStore store, Team team, Team defaultTeam, TimeProvider time, bool allTeams = false)
    {
        _store = store;
        Team = team;
        DefaultTeam = defaultTeam;
        _time = time;
        _allTeams = allTeams;
    }

    /// <summary>The team this client acts for.</summary>
    public Team Team { get; }

    /// <summary>The gateway's default team.</summary>
    public Team DefaultTeam { get; }

    public async Task<CreatedKey> CreateKeyAsync(string name, IReadOnlyList<string> scopes, CancellationToken cancellationToken)
    {
        name = name.Trim();
        if (name.Length is 0 or > MaxNameLength)
        {
            throw AdminException.Invalid($"the key name must be 1-{MaxNameLength} characters");
        }

        if (!ApiScopeNames.TryParse(scopes, out var parsed, out var unknown))
        {
            throw AdminException.Invalid($"unknown scope '{unknown}'; known: {string.Join(", ", ApiScopeNames.All)}");
        }

        if (parsed == ApiScopes.None)
        {
            throw AdminException.Invalid("give at least one scope: " + string.Join(", ", ApiScopeNames.All));
        }

        // Prefixes are 40 random bits; a collision is unlikely but possible, and then a fresh key is all it takes.
        for (var attempt = 0; ; attempt++)
        {
            var (plaintext, prefix, hash) = ApiKeyFormat.Generate();
            var record = new ApiKeyRecord
            {
                Id = Guid.NewGuid(),
                TeamId = Team.Id,
                Name = name,
                Prefix = prefix,
                Hash = hash,
                Scopes = parsed,
                CreatedAt = _time.GetUtcNow(),
            };
            try
            {
                await _store.CreateKeyAsync(record, cancellationToken).ConfigureAwait(false);
                return new CreatedKey(record.Id, record.Name, record.Prefix, ApiScopeNames.ToNames(record.Scopes), record.CreatedAt, plaintext);
            }
            catch (StoreConflictException) when (attempt < 3)
            {
            }
        }
    }

    public async Task<IReadOnlyList<KeyView>> ListKeysAsync(CancellationToken cancellationToken) =>
        (await _store.ListKeysAsync(Team.Id, cancellationToken).ConfigureAwait(false)).Select(ToView).ToList();

    public async Task<KeyRevocation> RevokeKeyAsync(string idOrPrefix, CancellationToken cancellationToken)
    {
        var key = await FindKeyAsync(idOrPrefix, cancellationToken).ConfigureAwait(false);
        var wasRevoked = key.IsRevoked;
        if (!await _store.RevokeKeyAsync(Team.Id, key.Id, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
        {
            throw KeyNotFound(idOrPrefix);
        }

        var after = await _store.GetKeyAsync(Team.Id, key.Id, cancellationToken).ConfigureAwait(false) ?? key;
        return new KeyRevocation(ToView(after), wasRevoked);
    }

    public async Task<EndpointList> ListEndpointsAsync(int page, int limit, CancellationToken cancellationToken)
    {
        var result = await _store.ListEndpointsAsync(Team.Id, (page - 1) * limit, limit, cancellationToken).ConfigureAwait(false);
        return new EndpointList(result.Items.Select(EndpointView.From).ToList(), Pagination.For(page, limit, result.Total));
    }

    public async Task<EndpointView> GetEndpointAsync(string idOrName, CancellationToken cancellationToken) =>
        EndpointView.From(await FindEndpointAsync(idOrName, cancellationToken).ConfigureAwait(false));

    public async Task<EndpointView> CreateEndpointAsync(JsonObject body, CancellationToken cancellationToken)
    {
        var name = ReadName(body["name"]) ?? "";
        var isDefault = ReadDefault(body["isDefault"]) ?? false;
        var spec = ParseSpec(body);
        Validate(name, spec);
        var now = _time.GetUtcNow();
        var endpoint = new AgentEndpoint
        {
            Id = Guid.NewGuid(),
            TeamId = Team.Id,
            Name = name,
            IsDefault = isDefault,
            Spec = spec,
            CreatedAt = now,
            UpdatedAt = now,
        };
        await WriteAsync(() => _store.CreateEndpointAsync(endpoint, cancellationToken)).ConfigureAwait(false);
        return EndpointView.From(endpoint);
    }

    public async Task<EndpointView> UpdateEndpointAsync(string idOrName, JsonObject patch, CancellationToken cancellationToken)
    {
        var current = await FindEndpointAsync(idOrName, cancellationToken).ConfigureAwait(false);

        // PATCH semantics: the stored spec's fields, with each field present in the patch replaced whole.
        var merged = AdminJson.SpecToJson(current.Spec);
        foreach (var (key, value) in patch)
        {
            merged[key] = value?.DeepClone();
        }

        var name = patch.ContainsKey("name") ? ReadName(patch["name"]) ?? "" : current.Name;
        var isDefault = patch.ContainsKey("isDefault") ? ReadDefault(patch["isDefault"]) ?? false : current.IsDefault;
        if (current.IsDefault && !isDefault)
        {
            throw AdminException.Conflict($"'{current.Name}' is the team's default endpoint; make another endpoint the default instead (endpoints update <other> --default)");
        }

        var spec = ParseSpec(merged);
        Validate(name, spec);
        var updated = current with { Name = name, IsDefault = isDefault, Spec = spec, UpdatedAt = _time.GetUtcNow() };
        var found = false;
        await WriteAsync(async () => found = await _store.UpdateEndpointAsync(updated, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
        return found ? EndpointView.From(updated) : throw EndpointNotFound(idOrName);
    }

    public async Task<EndpointView> DeleteEndpointAsync(string idOrName, CancellationToken cancellationToken)
    {
        var endpoint = await FindEndpointAsync(idOrName, cancellationToken).ConfigureAwait(false);
        if (endpoint.IsDefault)
        {
            throw AdminException.Conflict($"'{endpoint.Name}' is the team's default endpoint and cannot be deleted; make another endpoint the default first (endpoints update <other> --default)");
        }

        return await _store.DeleteEndpointAsync(Team.Id, endpoint.Id, cancellationToken).ConfigureAwait(false)
            ? EndpointView.From(endpoint)
            : throw EndpointNotFound(idOrName);
    }

    public async Task<CallList> ListCallsAsync(int page, int limit, CancellationToken cancellationToken)
    {
        var result = await _store.ListCallsAsync(_allTeams ? null : Team.Id, (page - 1) * limit, limit, cancellationToken).ConfigureAwait(false);
        return new CallList(result.Items.Select(ToView).ToList(), Pagination.For(page, limit, result.Total));
    }

    public async Task<CallDetail> GetCallAsync(string callId, CancellationToken cancellationToken)
    {
        var call = await _store.GetCallAsync(_allTeams ? null : Team.Id, callId, cancellationToken).ConfigureAwait(false)
            ?? throw AdminException.NotFound($"no call '{callId}' in team '{Team.Name}'");
        var events = await _store.ReadEventsAsync(call.Id, cancellationToken).ConfigureAwait(false);
        var transcript = CallTranscript.Build(events)
            .Select(t => new TranscriptLine(t.Role, t.Text, t.At, t.Interrupted, t.HeardMs))
            .ToList();
        return new CallDetail(ToView(call), transcript, JsonSerializer.SerializeToElement(events, AdminJson.Context.IReadOnlyListCallEvent));
    }

    public async Task<CreatedWebhook> CreateWebhookAsync(string url, IReadOnlyList<string> eventTypes, string? endpoint, CancellationToken cancellationToken)
    {
        url = url.Trim();
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (WebhookSubscriptionRules.UrlProblem(url) is { } urlProblem)
        {
            errors["url"] = [urlProblem];
        }

        if (WebhookSubscriptionRules.EventTypesProblem(eventTypes) is { } typesProblem)
        {
            errors["eventTypes"] = [typesProblem];
        }

        if (errors.Count > 0)
        {
            throw AdminException.Invalid(string.Join("; ", errors.Values.SelectMany(v => v)));
        }

        Guid? endpointId = null;
        if (endpoint is not null)
        {
            var found = Guid.TryParse(endpoint, out var id)
                ? await _store.GetEndpointAsync(Team.Id, id, cancellationToken).ConfigureAwait(false)
                : await _store.FindEndpointByNameAsync(Team.Id, endpoint, cancellationToken).ConfigureAwait(false);
            endpointId = (found ?? throw AdminException.NotFound($"no endpoint '{endpoint}' in team '{Team.Name}'")).Id;
        }

        var subscription = new WebhookSubscription
        {
            Id = Guid.NewGuid(),
            TeamId = Team.Id,
            EndpointId = endpointId,
            Url = url,
            EventTypes = WebhookSubscriptionRules.Normalize(eventTypes),
            Secret = WebhookSecret.Generate(),
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(_time.GetUtcNow().ToUnixTimeMilliseconds()),
        };
        await _store.CreateWebhookSubscriptionAsync(subscription, cancellationToken).ConfigureAwait(false);
        return new CreatedWebhook(subscription.Id, subscription.Url, subscription.EventTypes, subscription.EndpointId, subscription.CreatedAt, subscription.Secret);
    }

    public async Task<IReadOnlyList<WebhookView>> ListWebhooksAsync(CancellationToken cancellationToken) =>
        (await _store.ListWebhookSubscriptionsAsync(Team.Id, cancellationToken).ConfigureAwait(false)).Select(ToView).ToList();

    public async Task<WebhookView> DeleteWebhookAsync(string id, CancellationToken cancellationToken)
    {
        var subscription = Guid.TryParse(id, out var webhookId) ? await _store.GetWebhookSubscriptionAsync(Team.Id, webhookId, cancellationToken).ConfigureAwait(false) : null;
        if (subscription is null || !await _store.DeleteWebhookSubscriptionAsync(Team.Id, subscription.Id, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
        {
            throw AdminException.NotFound($"no webhook '{id}' in team '{Team.Name}'");
        }

        return ToView(subscription);
    }

    public async Task<DeliveryList> ListDeliveriesAsync(string? status, int page, int limit, CancellationToken cancellationToken)
    {
        if (status is not null && !WebhookDeliveryStatus.All.Contains(status, StringComparer.Ordinal))
        {
            throw AdminException.Invalid("status must be pending, delivered or failed");
        }

        var result = await _store.ListWebhookDeliveriesAsync(_allTeams ? null : Team.Id, status, (page - 1) * limit, limit, cancellationToken).ConfigureAwait(false);
        return new DeliveryList(result.Items.Select(ToView).ToList(), Pagination.For(page, limit, result.Total));
    }

    public async Task<DeliveryView> RetryDeliveryAsync(string id, CancellationToken cancellationToken)
    {
        var teamId = _allTeams ? (Guid?)null : Team.Id;
        switch (await _store.RetryWebhookDeliveryAsync(teamId, id, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
        {
            case DeliveryRetryResult.NotFound:
                throw AdminException.NotFound($"no delivery '{id}' in team '{Team.Name}'");
            case DeliveryRetryResult.AlreadyDelivered:
                throw AdminException.Conflict("the delivery was already delivered");
            case DeliveryRetryResult.SubscriptionDeleted:
                throw AdminException.Conflict("the delivery's webhook was deleted");
        }

        var delivery = await _store.GetWebhookDeliveryAsync(teamId, id, cancellationToken).ConfigureAwait(false)
            ?? throw AdminException.NotFound($"no delivery '{id}' in team '{Team.Name}'");
        return ToView(delivery);
    }

    private static WebhookView ToView(WebhookSubscription s) => new(s.Id, s.Url, s.EventTypes, s.EndpointId, s.CreatedAt);

    private static DeliveryView ToView(WebhookDelivery d) => new(
        d.Id, d.SubscriptionId, d.EventType, d.Status, d.Attempts, d.Status == WebhookDeliveryStatus.Pending ? d.NextAttemptAt : null,
        d.LastStatus, d.LastError, d.CreatedAt, d.DeliveredAt);

    /// <summary>The gateway's teams (local mode only: the REST API has no route for teams).</summary>
    public Task<IReadOnlyList<Team>> ListTeamsAsync(CancellationToken cancellationToken) => _store.ListTeamsAsync(cancellationToken);

    /// <summary>Creates a team (local mode only).</summary>
    public async Task<Team> CreateTeamAsync(string name, CancellationToken cancellationToken)
    {
        name = name.Trim();
        if (name.Length is 0 or > MaxNameLength)
        {
            throw AdminException.Invalid($"the team name must be 1-{MaxNameLength} characters");
        }

        var team = new Team(Guid.NewGuid(), name, _time.GetUtcNow());
        await WriteAsync(() => _store.CreateTeamAsync(team, cancellationToken)).ConfigureAwait(false);
        return team;
    }

    public async ValueTask DisposeAsync()
    {
        if (_store is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<ApiKeyRecord> FindKeyAsync(string idOrPrefix, CancellationToken cancellationToken)
    {
        ApiKeyRecord? key = null;
        if (Guid.TryParse(idOrPrefix, out var id))
        {
            key = await _store.GetKeyAsync(Team.Id, id, cancellationToken).ConfigureAwait(false);
        }
        else if (KeyPrefix(idOrPrefix) is { } prefix)
        {
            key = await _store.FindKeyByPrefixAsync(prefix, cancellationToken).ConfigureAwait(false);
        }

        // Another team's key looks exactly like a missing one.
        return key is not null && key.TeamId == Team.Id ? key : throw KeyNotFound(idOrPrefix);
    }

    /// <summary>The public prefix named by <c>sb_xxxxxxxx</c> or a whole key pasted in; null when it is neither.</summary>
    internal static string? KeyPrefix(string value)
    {
        value = value.Trim();
        if (ApiKeyFormat.TryGetPrefix(value, out var prefix))
        {
            return prefix;
        }

        // A bare prefix is a key's first 11 characters: sb_ and 8 more.
        return value.Length == 11 && value.StartsWith("sb_", StringComparison.Ordinal) ? value : null;
    }

    private async Task<AgentEndpoint> FindEndpointAsync(string idOrName, CancellationToken cancellationToken)
    {
        AgentEndpoint? endpoint = null;
        if (Guid.TryParse(idOrName, out var id))
        {
            endpoint = await _store.GetEndpointAsync(Team.Id, id, cancellationToken).ConfigureAwait(false);
        }

        endpoint ??= await _store.FindEndpointByNameAsync(Team.Id, idOrName, cancellationToken).ConfigureAwait(false);
        return endpoint ?? throw EndpointNotFound(idOrName);
    }

    private AdminException KeyNotFound(string idOrPrefix) => AdminException.NotFound($"no API key '{idOrPrefix}' in team '{Team.Name}'");

    private AdminException EndpointNotFound(string idOrName) => AdminException.NotFound($"no endpoint '{idOrName}' in team '{Team.Name}'");

    /// <summary>Parses the spec fields of a body strictly, as the API does: a misspelt field is an error, not a silent default.</summary>
    private static AgentSpec ParseSpec(JsonObject body)
    {
        var spec = new JsonObject();
        foreach (var (key, value) in body)
        {
            if (key is not ("name" or "isDefault"))
            {
                spec[key] = value?.DeepClone();
            }
        }

        try
        {
            return AgentSpecJson.ParseStrict(spec.ToJsonString());
        }
        catch (JsonException ex)
        {
            throw AdminException.Invalid("invalid endpoint JSON: " + ex.Message);
        }
    }

    private static void Validate(string name, AgentSpec spec)
    {
        var errors = AgentSpecValidator.Validate(name, spec);
        if (errors.Count > 0)
        {
            throw AdminException.Invalid("the endpoint has invalid fields", errors);
        }
    }

    private static string? ReadName(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => throw AdminException.Invalid("name must be a string"),
    };

    private static bool? ReadDefault(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        _ => throw AdminException.Invalid("isDefault must be true or false"),
    };

    private static async Task WriteAsync(Func<Task> write)
    {
        try
        {
            await write().ConfigureAwait(false);
        }
        catch (StoreConflictException ex)
        {
            throw AdminException.Conflict(ex.Message);
        }
    }

    private static KeyView ToView(ApiKeyRecord key) =>
        new(key.Id, key.Name, key.Prefix, ApiScopeNames.ToNames(key.Scopes), key.CreatedAt, key.RevokedAt, key.LastUsedAt);

    private static CallView ToView(CallRecord call) =>
        new(call.Id, call.EndpointId, call.Channel, call.CarrierCallId, call.From, call.To, call.StartedAt, call.EndedAt, call.EndReason, call.EventCount);
}
