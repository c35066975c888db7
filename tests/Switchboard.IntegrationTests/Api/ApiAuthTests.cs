using System.Net;
using Switchboard.Control;
using Switchboard.Journal;

namespace Switchboard.IntegrationTests.Api;

/// <summary>Every way a request can fail authentication, authorization or tenant isolation, over real HTTP.</summary>
public class ApiAuthTests : IClassFixture<ApiGateway>
{
    private readonly ApiGateway _api;

    public ApiAuthTests(ApiGateway api) => _api = api;

    public static TheoryData<string> ProtectedRoutes => new()
    {
        "/api/v1/team",
        "/api/v1/keys",
        "/api/v1/endpoints",
        "/api/v1/calls",
        "/api/v1/runtime?endpointId=00000000-0000-0000-0000-000000000001",
    };

    [Theory]
    [MemberData(nameof(ProtectedRoutes))]
    public async Task Get_NoKeyHeader_Is401Problem(string path)
    {
        using var http = _api.Client();
        using var response = await http.GetAsync(path);
        var problem = await ApiGateway.ReadProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal("missing X-API-Key header", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("not-a-key")]
    [InlineData("sb_short")]
    [InlineData("Bearer sb_abcdefgh_xyz")]
    public async Task Get_MalformedKey_Is401Problem(string key)
    {
        using var http = _api.Client(key);
        using var response = await http.GetAsync("/api/v1/team");
        var problem = await ApiGateway.ReadProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal("invalid API key", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Get_WellFormedUnknownKey_Is401Problem()
    {
        var (unknown, _, _) = ApiKeyFormat.Generate();
        using var http = _api.Client(unknown);
        using var response = await http.GetAsync("/api/v1/team");
        await ApiGateway.ReadProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Get_RightPrefixWrongSecret_Is401Problem()
    {
        var key = await _api.CreateKeyAsync(ApiScopes.Admin);
        var forged = key[..12] + new string('A', key.Length - 12);
        using var http = _api.Client(forged);
        using var response = await http.GetAsync("/api/v1/team");
        await ApiGateway.ReadProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task RevokedKey_StopsWorkingAtOnce()
    {
        var admin = await _api.CreateKeyAsync(ApiScopes.Admin);
        var victim = await _api.CreateKeyAsync(ApiScopes.ReadCalls);
        using var victimHttp = _api.Client(victim);
        using (var before = await victimHttp.GetAsync("/api/v1/calls"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        using var adminHttp = _api.Client(admin);
        var victimId = (await _api.Gateway.Store.FindKeyByPrefixAsync(victim[..11], CancellationToken.None))!.Id;
        using (var revoke = await adminHttp.DeleteAsync($"/api/v1/keys/{victimId}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }

        using var after = await victimHttp.GetAsync("/api/v1/calls");
        var problem = await ApiGateway.ReadProblemAsync(after, HttpStatusCode.Unauthorized);
        Assert.Equal("API key revoked", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData((int)ApiScopes.ReadCalls, "GET", "/api/v1/endpoints", "READ_TEAM_APPS or MANAGE_ENDPOINTS")]
    [InlineData((int)ApiScopes.ReadTeamApps, "POST", "/api/v1/endpoints", "MANAGE_ENDPOINTS")]
    [InlineData((int)ApiScopes.ManageEndpoints, "GET", "/api/v1/calls", "READ_CALLS or MANAGE_CALLS")]
    [InlineData((int)(ApiScopes.ManageEndpoints | ApiScopes.ReadCalls), "GET", "/api/v1/keys", "ADMIN")]
    [InlineData((int)ApiScopes.ReadCalls, "GET", "/api/v1/runtime?endpointId=00000000-0000-0000-0000-000000000001", "CREATE_CALL_TOKEN or READ_TEAM_APPS")]
    public async Task KeyWithoutTheScope_Is403ProblemNamingIt(int scopes, string method, string path, string needed)
    {
        var key = await _api.CreateKeyAsync((ApiScopes)scopes);
        using var http = _api.Client(key);
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = ApiGateway.Json("""{ "name": "x" }""");
        }

        using var response = await http.SendAsync(request);
        var problem = await ApiGateway.ReadProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.Equal($"this API key lacks the {needed} scope", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData((int)ApiScopes.ReadTeamApps)]
    [InlineData((int)ApiScopes.ManageEndpoints)]
    [InlineData((int)ApiScopes.Admin)]
    public async Task ListEndpoints_AnyOfTheAcceptedScopes_Is200(int scopes)
    {
        using var http = _api.Client(await _api.CreateKeyAsync((ApiScopes)scopes));
        using var response = await http.GetAsync("/api/v1/endpoints");
        await ApiGateway.ReadJsonAsync(response, HttpStatusCode.OK);
    }

    [Fact]
    public async Task Team_KeyWithNoScopes_IsAllowedButNothingElse()
    {
        var key = await _api.CreateKeyAsync(ApiScopes.None);
        using var http = _api.Client(key);
        using (var team = await http.GetAsync("/api/v1/team"))
        {
            var body = await ApiGateway.ReadJsonAsync(team, HttpStatusCode.OK);
            Assert.Equal(_api.DefaultTeamId, body.GetProperty("id").GetGuid());
            Assert.Equal(key[..11], body.GetProperty("key").GetProperty("prefix").GetString());
            Assert.Equal(0, body.GetProperty("key").GetProperty("scopes").GetArrayLength());
        }

        using var endpoints = await http.GetAsync("/api/v1/endpoints");
        await ApiGateway.ReadProblemAsync(endpoints, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task AuthenticationComesBeforeTheBody()
    {
        using var http = _api.Client();
        using var response = await http.PostAsync("/api/v1/endpoints", new StringContent("not json", System.Text.Encoding.UTF8, "text/plain"));
        await ApiGateway.ReadProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task AnotherTeamsEndpoint_Is404ForEveryVerb()
    {
        var otherTeam = await _api.CreateTeamAsync();
        using var other = _api.Client(await _api.CreateKeyAsync(ApiScopes.Admin, otherTeam));
        var theirs = await ApiGateway.CreateEndpointAsync(other, """{ "name": "theirs", "isDefault": true }""");
        using var mine = _api.Client(await _api.CreateKeyAsync(ApiScopes.Admin));

        foreach (var request in new[]
        {
            new HttpRequestMessage(HttpMethod.Get, $"/api/v1/endpoints/{theirs}"),
            new HttpRequestMessage(HttpMethod.Put, $"/api/v1/endpoints/{theirs}") { Content = ApiGateway.Json("""{ "name": "stolen" }""") },
            new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/endpoints/{theirs}") { Content = ApiGateway.Json("""{ "name": "stolen" }""") },
            new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/endpoints/{theirs}"),
            new HttpRequestMessage(HttpMethod.Get, $"/api/v1/runtime?endpointId={theirs}"),
        })
        {
            using (request)
            using (var response = await mine.SendAsync(request))
            {
                await ApiGateway.ReadProblemAsync(response, HttpStatusCode.NotFound);
            }
        }

        // Untouched, and invisible in the other team's listing.
        using var still = await other.GetAsync($"/api/v1/endpoints/{theirs}");
        Assert.Equal("theirs", (await ApiGateway.ReadJsonAsync(still, HttpStatusCode.OK)).GetProperty("name").GetString());
        using var list = await mine.GetAsync("/api/v1/endpoints?limit=100");
        var ids = (await ApiGateway.ReadJsonAsync(list, HttpStatusCode.OK)).GetProperty("endpoints").EnumerateArray().Select(e => e.GetProperty("id").GetGuid());
        Assert.DoesNotContain(theirs, ids);
    }

    [Fact]
    public async Task AnotherTeamsKey_Is404AndStaysValid()
    {
        var otherTeam = await _api.CreateTeamAsync();
        var theirKey = await _api.CreateKeyAsync(ApiScopes.ReadCalls, otherTeam);
        var theirKeyId = (await _api.Gateway.Store.FindKeyByPrefixAsync(theirKey[..11], CancellationToken.None))!.Id;
        using var mine = _api.Client(await _api.CreateKeyAsync(ApiScopes.Admin));

        using (var revoke = await mine.DeleteAsync($"/api/v1/keys/{theirKeyId}"))
        {
            await ApiGateway.ReadProblemAsync(revoke, HttpStatusCode.NotFound);
        }

        using var list = await mine.GetAsync("/api/v1/keys");
        var listed = (await ApiGateway.ReadJsonAsync(list, HttpStatusCode.OK)).GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("id").GetGuid());
        Assert.DoesNotContain(theirKeyId, listed);
        using var theirs = _api.Client(theirKey);
        using var stillWorks = await theirs.GetAsync("/api/v1/calls");
        Assert.Equal(HttpStatusCode.OK, stillWorks.StatusCode);
    }

    [Fact]
    public async Task AnotherTeamsCall_Is404AndNotListed()
    {
        var otherTeam = await _api.CreateTeamAsync();
        var callId = "call_" + Guid.NewGuid().ToString("N");
        await _api.Gateway.Store.AppendEventsAsync(
        [
            new CallEvent
            {
                CallId = callId, Sequence = 1, At = DateTimeOffset.UtcNow, Type = CallEventType.CallStarted,
                Data = new Dictionary<string, string> { [CallEventKeys.Carrier] = "twilio", [CallEventKeys.TeamId] = otherTeam.ToString("D") },
            },
        ], CancellationToken.None);
        using var mine = _api.Client(await _api.CreateKeyAsync(ApiScopes.ReadCalls));

        using (var detail = await mine.GetAsync($"/api/v1/calls/{callId}"))
        {
            await ApiGateway.ReadProblemAsync(detail, HttpStatusCode.NotFound);
        }

        using var list = await mine.GetAsync("/api/v1/calls?limit=100");
        var ids = (await ApiGateway.ReadJsonAsync(list, HttpStatusCode.OK)).GetProperty("calls").EnumerateArray().Select(c => c.GetProperty("id").GetString());
        Assert.DoesNotContain(callId, ids);
        using var theirs = _api.Client(await _api.CreateKeyAsync(ApiScopes.ReadCalls, otherTeam));
        using var theirDetail = await theirs.GetAsync($"/api/v1/calls/{callId}");
        await ApiGateway.ReadJsonAsync(theirDetail, HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("/api/v1/endpoints/not-a-guid")]
    [InlineData("/api/v1/endpoints/00000000-0000-0000-0000-000000000000")]
    [InlineData("/api/v1/calls/call_doesnotexist")]
    public async Task UnknownOrMalformedIds_Are404Problems(string path)
    {
        using var http = _api.Client(await _api.CreateKeyAsync(ApiScopes.Admin));
        using var response = await http.GetAsync(path);
        await ApiGateway.ReadProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task UnmappedRouteAndWrongMethod_AreProblemsToo()
    {
        using var http = _api.Client(await _api.CreateKeyAsync(ApiScopes.Admin));
        using (var missing = await http.GetAsync("/api/v1/nothing-here"))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        }

        using var wrongMethod = await http.PutAsync("/api/v1/keys", ApiGateway.Json("{}"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
        Assert.Equal("application/problem+json", wrongMethod.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/api/v1/endpoints?page=0", "page")]
    [InlineData("/api/v1/endpoints?page=-1", "page")]
    [InlineData("/api/v1/endpoints?page=abc", "page")]
    [InlineData("/api/v1/endpoints?page=", "page")]
    [InlineData("/api/v1/endpoints?page=1.5", "page")]
    [InlineData("/api/v1/endpoints?limit=0", "limit")]
    [InlineData("/api/v1/endpoints?limit=-1", "limit")]
    [InlineData("/api/v1/endpoints?limit=abc", "limit")]
    [InlineData("/api/v1/endpoints?limit=101", "limit")]
    [InlineData("/api/v1/calls?page=0", "page")]
    [InlineData("/api/v1/calls?limit=101", "limit")]
    [InlineData("/api/v1/calls?limit=99999999999", "limit")]
    public async Task BadPagination_Is400NamingTheParameter(string path, string parameter)
    {
        using var http = _api.Client(await _api.CreateKeyAsync(ApiScopes.Admin));
        using var response = await http.GetAsync(path);
        var problem = await ApiGateway.ReadProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.StartsWith(parameter + " must be", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty(parameter, out _), $"errors should name '{parameter}': {errors}");
    }
}
