using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Control;
using Switchboard.Limits;

namespace Switchboard.IntegrationTests.Api;

/// <summary><c>GET/PATCH /api/v1/team</c> with the team's limits, on a real gateway. Each test works in a team of its own.</summary>
public class TeamLimitsApiTests : IClassFixture<ApiGateway>
{
    private readonly ApiGateway _api;

    public TeamLimitsApiTests(ApiGateway api) => _api = api;

    private static async Task<JsonElement> PatchAsync(HttpClient http, string json, HttpStatusCode expected)
    {
        using var response = await http.PatchAsync("/api/v1/team", ApiGateway.Json(json));
        return expected == HttpStatusCode.OK ? await ApiGateway.ReadJsonAsync(response, expected) : await ApiGateway.ReadProblemAsync(response, expected);
    }

    [Fact]
    public async Task Get_NewTeam_ShowsLimitsWithNothingSet()
    {
        var team = await _api.CreateTeamAsync();
        using var http = _api.Client(await _api.CreateKeyAsync(ApiScopes.None, team));

        using var response = await http.GetAsync("/api/v1/team");
        var limits = (await ApiGateway.ReadJsonAsync(response, HttpStatusCode.OK)).GetProperty("limits");

        Assert.Equal(0, limits.GetProperty("maxCallSeconds").GetInt32());
        Assert.Equal(0, limits.GetProperty("maxDailyCallSeconds").GetInt32());
        Assert.Equal(0, limits.GetProperty("maxCallCostUsd").GetDouble());
        Assert.Equal(0, limits.GetProperty("maxDailyCostUsd").GetDouble());
        Assert.Equal(0, limits.GetProperty("maxConcurrentCalls").GetInt32());
        Assert.Equal(JsonValueKind.Null, limits.GetProperty("timeZone").ValueKind);
        Assert.False(limits.TryGetProperty("zone", out _));
    }

    [Fact]
    public async Task Patch_Admin_MergesFieldByFieldStoresAndAnswersTheTeam()
    {
        var team = await _api.CreateTeamAsync();
        using var http = _api.Client(await _api.CreateKeyAsync(ApiScopes.Admin, team));

        var first = await PatchAsync(http, """{ "limits": { "maxConcurrentCalls": 3, "maxDailyCostUsd": 12.5, "timeZone": "Europe/Berlin" } }""", HttpStatusCode.OK);
        Assert.Equal(team, first.GetProperty("id").GetGuid());
        Assert.Equal(["ADMIN"], first.GetProperty("key").GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(3, first.GetProperty("limits").GetProperty("maxConcurrentCalls").GetInt32());

        // A later patch changes only what it names; null resets a field.
        var second = await PatchAsync(http, """{ "limits": { "maxCallSeconds": 600, "maxDailyCostUsd": null } }""", HttpStatusCode.OK);
        var limits = second.GetProperty("limits");
        Assert.Equal(600, limits.GetProperty("maxCallSeconds").GetInt32());
        Assert.Equal(3, limits.GetProperty("maxConcurrentCalls").GetInt32());
        Assert.Equal(0, limits.GetProperty("maxDailyCostUsd").GetDouble());
        Assert.Equal("Europe/Berlin", limits.GetProperty("timeZone").GetString());

        var stored = (await _api.Gateway.Store.GetTeamAsync(team, CancellationToken.None))!.Limits;
        Assert.Equal(new TeamLimits { MaxCallSeconds = 600, MaxConcurrentCalls = 3, TimeZone = "Europe/Berlin" }, stored);
        using var get = await http.GetAsync("/api/v1/team");
        Assert.Equal(600, (await ApiGateway.ReadJsonAsync(get, HttpStatusCode.OK)).GetProperty("limits").GetProperty("maxCallSeconds").GetInt32());
    }

    [Fact]
    public async Task Patch_TakesEffectForAdmissionAtOnce()
    {
        var team = await _api.CreateTeamAsync();
        using var http = _api.Client(await _api.CreateKeyAsync(ApiScopes.Admin, team));
        var cache = _api.Gateway.App.Services.GetRequiredService<TeamLimitsCache>();
        Assert.Equal(0, (await cache.GetAsync(team, CancellationToken.None)).MaxConcurrentCalls); // now cached for a few seconds

        await PatchAsync(http, """{ "limits": { "maxConcurrentCalls": 1 } }""", HttpStatusCode.OK);

        Assert.Equal(1, (await cache.GetAsync(team, CancellationToken.None)).MaxConcurrentCalls);
    }

    [Fact]
    public async Task Patch_InvalidValues_Are400NamingEveryFieldAndStoreNothing()
    {
        var team = await _api.CreateTeamAsync();
        using var http = _api.Client(await _api.CreateKeyAsync(ApiScopes.Admin, team));

        var problem = await PatchAsync(http, """{ "limits": { "maxConcurrentCalls": -1, "maxDailyCallSeconds": 90000, "timeZone": "Mars/Olympus_Mons" } }""", HttpStatusCode.BadRequest);

        var errors = problem.GetProperty("errors");
        Assert.Equal(["limits.maxConcurrentCalls", "limits.maxDailyCallSeconds", "limits.timeZone"], errors.EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.Equal("limits.maxConcurrentCalls must be 0 (no cap) to 100000", errors.GetProperty("limits.maxConcurrentCalls")[0].GetString());
        Assert.Contains("Mars/Olympus_Mons", errors.GetProperty("limits.timeZone")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal("the request has 3 invalid fields", problem.GetProperty("detail").GetString());
        Assert.Equal(TeamLimits.None, (await _api.Gateway.Store.GetTeamAsync(team, CancellationToken.None))!.Limits);
    }

    [Theory]
    [InlineData("""{ "limits": { "maxConcurent": 2 } }""", "limits.maxConcurent", "unknown field 'limits.maxConcurent'")]
    [InlineData("""{ "limits": { "maxConcurrentCalls": "2" } }""", "limits.maxConcurrentCalls", "'limits.maxConcurrentCalls' must be an integer (32-bit)")]
    [InlineData("""{ "limits": { "maxConcurrentCalls": 2.5 } }""", "limits.maxConcurrentCalls", "'limits.maxConcurrentCalls' must be an integer (32-bit)")]
    [InlineData("""{ "limits": 5 }""", "limits", "limits must be an object (got a number)")]
    [InlineData("""{ "name": "renamed", "limits": {} }""", "name", "unknown field 'name' (a team's body holds only 'limits')")]
    [InlineData("""{ }""", "limits", "limits is required: the fields to change, e.g. {\"limits\": {\"maxConcurrentCalls\": 5}}")]
    public async Task Patch_MalformedBody_Is400NamingTheField(string body, string field, string message)
    {
        using var http = _api.Client(await _api.CreateKeyAsync(ApiScopes.Admin, await _api.CreateTeamAsync()));

        var problem = await PatchAsync(http, body, HttpStatusCode.BadRequest);

        Assert.Equal([message], problem.GetProperty("errors").GetProperty(field).EnumerateArray().Select(m => m.GetString()));
    }

    [Fact]
    public async Task Patch_WithoutAdmin_Is403()
    {
        var team = await _api.CreateTeamAsync();
        using var http = _api.Client(await _api.CreateKeyAsync(ApiScopes.ReadCalls | ApiScopes.ManageEndpoints | ApiScopes.ManageCalls, team));

        var problem = await PatchAsync(http, """{ "limits": { "maxConcurrentCalls": 1 } }""", HttpStatusCode.Forbidden);

        Assert.Equal("this API key lacks the ADMIN scope", problem.GetProperty("detail").GetString());
        Assert.Equal(TeamLimits.None, (await _api.Gateway.Store.GetTeamAsync(team, CancellationToken.None))!.Limits);
    }
}
