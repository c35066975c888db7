using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Agents;
using Switchboard.Control;
using Switchboard.Journal;
using Switchboard.Server.Api;
using Switchboard.Testing;

namespace Switchboard.IntegrationTests.Cli;

/// <summary>
/// A stand-in for the gateway's REST API (keys, endpoints, calls) on a <see cref="LoopbackServer"/>, written from
/// the API contract while the real routes are built on another branch. It keeps one team in memory and answers
/// with the contract's shapes and problem+json errors (the gateway's own <see cref="ApiProblems"/>).
/// Once the REST API is merged, RemoteAdminCommandTests should run against GatewayFixture instead: the tests
/// only use <see cref="BaseUrl"/>, <see cref="AdminKey"/>, <see cref="CreateKey"/>, <see cref="SeedCall"/>,
/// <see cref="SeedEndpoint"/> and <see cref="Requests"/>, which map onto the real store and a request log.
/// </summary>
internal sealed class AdminApiStub : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, (ApiKeyRecord Record, string Name)> _keys = new(StringComparer.Ordinal);
    private readonly List<JsonObject> _endpoints = [];
    private readonly List<(CallRecord Call, IReadOnlyList<CallEvent> Events)> _calls = [];
    private readonly object _lock = new();
    private LoopbackServer _server = null!;

    public string BaseUrl => _server.BaseUrl;

    /// <summary>An ADMIN key of the stub's team.</summary>
    public string AdminKey { get; private set; } = "";

    /// <summary>Every request as <c>METHOD /path?query body</c>, in order.</summary>
    public IEnumerable<string> Requests => _server.Requests.Select(r => $"{r.Method} {r.PathAndQuery} {r.Body}".TrimEnd());

    public static async Task<AdminApiStub> StartAsync()
    {
        var stub = new AdminApiStub();
        stub._server = await LoopbackServer.StartAsync(stub.Map, services => services.AddProblemDetails());
        stub.AdminKey = stub.CreateKey("bootstrap", ApiScopes.Admin);
        stub.SeedEndpoint("default", isDefault: true);
        return stub;
    }

    /// <summary>Adds a key to the stub's team and returns its plaintext.</summary>
    public string CreateKey(string name, ApiScopes scopes)
    {
        var (plaintext, prefix, hash) = ApiKeyFormat.Generate();
        _keys[prefix] = (new ApiKeyRecord { Id = Guid.NewGuid(), TeamId = Guid.Empty, Name = name, Prefix = prefix, Hash = hash, Scopes = scopes, CreatedAt = DateTimeOffset.UtcNow }, name);
        return plaintext;
    }

    public void SeedEndpoint(string name, bool isDefault = false)
    {
        lock (_lock)
        {
            _endpoints.Add(EndpointJson(Guid.NewGuid(), name, isDefault, new AgentSpec(), DateTimeOffset.UtcNow));
        }
    }

    /// <summary>Stores a call's events as the journal would.</summary>
    public void SeedCall(IReadOnlyList<CallEvent> events)
    {
        var start = events[0];
        var end = events.FirstOrDefault(e => e.Type == CallEventType.CallEnded);
        string? Data(string key) => start.Data?.GetValueOrDefault(key);
        var call = new CallRecord
        {
            Id = start.CallId,
            EndpointId = Guid.TryParse(Data(CallEventKeys.EndpointId), out var ep) ? ep : null,
            Channel = Data(CallEventKeys.Carrier) ?? "unknown",
            CarrierCallId = Data(CallEventKeys.CarrierCallId),
            From = Data(CallEventKeys.From),
            To = Data(CallEventKeys.To),
            StartedAt = start.At,
            EndedAt = end?.At,
            EndReason = end?.Reason,
            EventCount = events.Count,
        };
        lock (_lock)
        {
            _calls.Add((call, events));
        }
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private void Map(WebApplication app)
    {
        var api = app.MapGroup("/api/v1");

        api.MapPost("/keys", (HttpContext http, JsonObject body) => Authorized(http, ApiScopes.Admin, () =>
        {
            var name = body["name"]?.GetValue<string>();
            var names = body["scopes"]?.AsArray().Select(s => s!.GetValue<string>()).ToList() ?? [];
            if (string.IsNullOrWhiteSpace(name))
            {
                return ApiProblems.BadRequest("name is required");
            }

            if (!ApiScopeNames.TryParse(names, out var scopes, out var unknown) || scopes == ApiScopes.None)
            {
                return ApiProblems.BadRequest($"unknown scope '{unknown}'");
            }

            var plaintext = CreateKey(name, scopes);
            ApiKeyFormat.TryGetPrefix(plaintext, out var prefix);
            var record = _keys[prefix].Record;
            return Results.Json(new { record.Id, Name = name, record.Prefix, Scopes = ApiScopeNames.ToNames(scopes), record.CreatedAt, Key = plaintext }, statusCode: 201);
        }));
        api.MapGet("/keys", (HttpContext http) => Authorized(http, ApiScopes.Admin, () => Results.Json(new
        {
            Keys = _keys.Values.OrderBy(k => k.Record.CreatedAt).Select(k => new
            {
                k.Record.Id, k.Record.Name, k.Record.Prefix, Scopes = ApiScopeNames.ToNames(k.Record.Scopes), k.Record.CreatedAt, k.Record.RevokedAt, k.Record.LastUsedAt,
            }),
        })));
        api.MapDelete("/keys/{id}", (HttpContext http, string id) => Authorized(http, ApiScopes.Admin, () =>
        {
            var entry = _keys.Values.FirstOrDefault(k => k.Record.Id.ToString("D") == id);
            if (entry.Record is null)
            {
                return ApiProblems.NotFound("no such key");
            }

            _keys[entry.Record.Prefix] = entry with { Record = entry.Record with { RevokedAt = entry.Record.RevokedAt ?? DateTimeOffset.UtcNow } };
            return Results.NoContent();
        }));

        api.MapGet("/endpoints", (HttpContext http, int? page, int? limit) => Authorized(http, ApiScopes.ReadTeamApps, () =>
        {
            var (p, l) = (page ?? 1, limit ?? 20);
            if (p < 1 || l is < 1 or > 100)
            {
                return ApiProblems.BadRequest("page must be >= 1 and limit 1-100");
            }

            lock (_lock)
            {
                var items = _endpoints.Skip((p - 1) * l).Take(l).Select(e => e.DeepClone()).ToArray();
                return Results.Json(new JsonObject
                {
                    ["endpoints"] = new JsonArray(items),
                    ["pagination"] = new JsonObject
                    {
                        ["page"] = p, ["limit"] = l, ["total"] = _endpoints.Count,
                        ["totalPages"] = (_endpoints.Count + l - 1) / l, ["hasMore"] = p * l < _endpoints.Count,
                    },
                });
            }
        }));
        api.MapGet("/endpoints/{id}", (HttpContext http, string id) => Authorized(http, ApiScopes.ReadTeamApps, () =>
            FindEndpoint(id) is { } e ? Results.Json(e) : ApiProblems.NotFound("no such endpoint")));
        api.MapPost("/endpoints", (HttpContext http, JsonObject body) => Authorized(http, ApiScopes.ManageEndpoints, () =>
            WriteEndpoint(null, body)));
        api.MapPatch("/endpoints/{id}", (HttpContext http, string id, JsonObject patch) => Authorized(http, ApiScopes.ManageEndpoints, () =>
        {
            if (FindEndpoint(id) is not { } current)
            {
                return ApiProblems.NotFound("no such endpoint");
            }

            var merged = (JsonObject)current.DeepClone();
            foreach (var (key, value) in patch)
            {
                merged[key] = value?.DeepClone();
            }

            return WriteEndpoint(current, merged);
        }));
        api.MapDelete("/endpoints/{id}", (HttpContext http, string id) => Authorized(http, ApiScopes.ManageEndpoints, () =>
        {
            if (FindEndpoint(id) is not { } current)
            {
                return ApiProblems.NotFound("no such endpoint");
            }

            if (current["isDefault"]!.GetValue<bool>())
            {
                return ApiProblems.Conflict("the team's default endpoint cannot be deleted");
            }

            lock (_lock)
            {
                _endpoints.Remove(current);
            }

            return Results.NoContent();
        }));

        api.MapGet("/calls", (HttpContext http, int? page, int? limit) => Authorized(http, ApiScopes.ReadCalls, () =>
        {
            var (p, l) = (page ?? 1, limit ?? 20);
            lock (_lock)
            {
                var calls = _calls.Select(c => c.Call).OrderByDescending(c => c.StartedAt).ToList();
                return Results.Json(new
                {
                    Calls = calls.Skip((p - 1) * l).Take(l),
                    Pagination = new { Page = p, Limit = l, Total = calls.Count, TotalPages = (calls.Count + l - 1) / l, HasMore = p * l < calls.Count },
                });
            }
        }));
        api.MapGet("/calls/{id}", (HttpContext http, string id) => Authorized(http, ApiScopes.ReadCalls, () =>
        {
            var (call, events) = _calls.FirstOrDefault(c => c.Call.Id == id);
            if (call is null)
            {
                return ApiProblems.NotFound("no such call");
            }

            var json = JsonSerializer.SerializeToNode(call, JsonSerializerOptions.Web)!.AsObject();
            json["transcript"] = JsonSerializer.SerializeToNode(
                CallTranscript.Build(events).Select(t => new { t.Role, t.Text, t.At, t.Interrupted, t.HeardMs }), JsonSerializerOptions.Web);
            json["events"] = JsonSerializer.SerializeToNode(events, JsonSerializerOptions.Web);
            return Results.Json(json);
        }));
    }

    private IResult Authorized(HttpContext http, ApiScopes scope, Func<IResult> handler)
    {
        var presented = http.Request.Headers[ApiKeyFilter.HeaderName].ToString();
        if (!ApiKeyFormat.TryGetPrefix(presented, out var prefix) || !_keys.TryGetValue(prefix, out var key) || !ApiKeyFormat.Matches(presented, key.Record.Hash))
        {
            return ApiProblems.Unauthorized("invalid API key");
        }

        if (key.Record.IsRevoked)
        {
            return ApiProblems.Unauthorized("API key revoked");
        }

        if (!ApiScopeNames.Allows(key.Record.Scopes, scope) && !(scope == ApiScopes.ReadTeamApps && ApiScopeNames.Allows(key.Record.Scopes, ApiScopes.ManageEndpoints)))
        {
            return ApiProblems.Forbidden($"this API key lacks the {string.Join(", ", ApiScopeNames.ToNames(scope))} scope");
        }

        return handler();
    }

    private JsonObject? FindEndpoint(string id)
    {
        lock (_lock)
        {
            return _endpoints.FirstOrDefault(e => e["id"]!.GetValue<string>() == id);
        }
    }

    private IResult WriteEndpoint(JsonObject? current, JsonObject body)
    {
        var spec = new JsonObject();
        foreach (var (key, value) in body)
        {
            if (key is not ("id" or "name" or "isDefault" or "createdAt" or "updatedAt"))
            {
                spec[key] = value?.DeepClone();
            }
        }

        AgentSpec parsed;
        try
        {
            parsed = AgentSpecJson.ParseStrict(spec.ToJsonString());
        }
        catch (JsonException ex)
        {
            return ApiProblems.BadRequest(ex.Message);
        }

        var name = body["name"]?.GetValue<string>();
        var errors = AgentSpecValidator.Validate(name, parsed);
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        lock (_lock)
        {
            if (_endpoints.Any(e => e != current && e["name"]!.GetValue<string>() == name))
            {
                return ApiProblems.Conflict($"an endpoint named '{name}' already exists");
            }

            var id = current is null ? Guid.NewGuid() : Guid.Parse(current["id"]!.GetValue<string>());
            var isDefault = body["isDefault"]?.GetValue<bool>() ?? false;
            var json = EndpointJson(id, name!, isDefault, parsed, current?["createdAt"]?.GetValue<DateTimeOffset>() ?? DateTimeOffset.UtcNow);
            if (current is null)
            {
                _endpoints.Add(json);
                return Results.Json(json, statusCode: 201);
            }

            _endpoints[_endpoints.IndexOf(current)] = json;
            return Results.Json(json);
        }
    }

    private static JsonObject EndpointJson(Guid id, string name, bool isDefault, AgentSpec spec, DateTimeOffset createdAt)
    {
        var json = new JsonObject
        {
            ["id"] = id.ToString("D"), ["name"] = name, ["isDefault"] = isDefault, ["createdAt"] = createdAt, ["updatedAt"] = DateTimeOffset.UtcNow,
        };
        foreach (var (key, value) in JsonNode.Parse(AgentSpecJson.Serialize(spec))!.AsObject())
        {
            json[key] = value?.DeepClone();
        }

        return json;
    }
}
