using System.Net;
using System.Text.Json;
using Switchboard.Control;
using Switchboard.Journal;

namespace Switchboard.IntegrationTests.Api;

/// <summary>Pagination edges of the listings, each in a team of its own so counts are exact.</summary>
public class PaginationTests : IClassFixture<ApiGateway>
{
    private readonly ApiGateway _api;

    public PaginationTests(ApiGateway api) => _api = api;

    private static (int Page, int Limit, long Total, long TotalPages, bool HasMore) PaginationOf(JsonElement body)
    {
        var p = body.GetProperty("pagination");
        return (p.GetProperty("page").GetInt32(), p.GetProperty("limit").GetInt32(), p.GetProperty("total").GetInt64(),
            p.GetProperty("totalPages").GetInt64(), p.GetProperty("hasMore").GetBoolean());
    }

    private static async Task<JsonElement> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        return await ApiGateway.ReadJsonAsync(response, HttpStatusCode.OK);
    }

    [Fact]
    public async Task Endpoints_PagesBoundariesAndPastTheEnd()
    {
        var team = await _api.CreateTeamAsync();
        using var http = _api.Client(await _api.CreateKeyAsync(ApiScopes.ManageEndpoints, team));

        var empty = await GetAsync(http, "/api/v1/endpoints");
        Assert.Equal((1, 20, 0L, 0L, false), PaginationOf(empty));
        Assert.Equal(0, empty.GetProperty("endpoints").GetArrayLength());

        var created = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            created.Add(await ApiGateway.CreateEndpointAsync(http, $$"""{ "name": "e{{i}}", "isDefault": {{(i == 0 ? "true" : "false")}} }"""));
        }

        // 5 items, 2 per page: 2 + 2 + 1, each exactly once, oldest first (creation time, then id, for equal times).
        var seen = new List<(DateTimeOffset CreatedAt, string Id)>();
        for (var page = 1; page <= 3; page++)
        {
            var body = await GetAsync(http, $"/api/v1/endpoints?page={page}&limit=2");
            Assert.Equal((page, 2, 5L, 3L, page < 3), PaginationOf(body));
            seen.AddRange(body.GetProperty("endpoints").EnumerateArray().Select(e => (e.GetProperty("createdAt").GetDateTimeOffset(), e.GetProperty("id").GetString()!)));
        }

        Assert.Equal(created.Select(id => id.ToString("D")).Order(StringComparer.Ordinal), seen.Select(s => s.Id).Order(StringComparer.Ordinal));
        Assert.Equal(seen.OrderBy(s => s.CreatedAt).ThenBy(s => s.Id, StringComparer.Ordinal), seen);

        var past = await GetAsync(http, "/api/v1/endpoints?page=4&limit=2");
        Assert.Equal((4, 2, 5L, 3L, false), PaginationOf(past));
        Assert.Equal(0, past.GetProperty("endpoints").GetArrayLength());

        var exact = await GetAsync(http, "/api/v1/endpoints?limit=5");
        Assert.Equal((1, 5, 5L, 1L, false), PaginationOf(exact));
        Assert.Equal(5, exact.GetProperty("endpoints").GetArrayLength());

        var oneShort = await GetAsync(http, "/api/v1/endpoints?limit=4");
        Assert.Equal((1, 4, 5L, 2L, true), PaginationOf(oneShort));

        var max = await GetAsync(http, "/api/v1/endpoints?limit=100&page=1");
        Assert.Equal((1, 100, 5L, 1L, false), PaginationOf(max));

        var far = await GetAsync(http, "/api/v1/endpoints?page=2147483647&limit=100");
        Assert.Equal(0, far.GetProperty("endpoints").GetArrayLength());
        Assert.False(PaginationOf(far).HasMore);
    }

    [Fact]
    public async Task Calls_NewestFirstAcrossPages()
    {
        var team = await _api.CreateTeamAsync();
        var start = DateTimeOffset.UtcNow.AddHours(-1);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var id = $"call_page{i}_" + Guid.NewGuid().ToString("N")[..8];
            ids.Add(id);
            await _api.Gateway.Store.AppendEventsAsync(
            [
                new CallEvent
                {
                    CallId = id, Sequence = 1, At = start.AddMinutes(i), Type = CallEventType.CallStarted,
                    Data = new Dictionary<string, string> { [CallEventKeys.Carrier] = "telnyx", [CallEventKeys.TeamId] = team.ToString("D") },
                },
            ], CancellationToken.None);
        }

        using var http = _api.Client(await _api.CreateKeyAsync(ApiScopes.ReadCalls, team));
        var first = await GetAsync(http, "/api/v1/calls?limit=2");
        Assert.Equal((1, 2, 3L, 2L, true), PaginationOf(first));
        var second = await GetAsync(http, "/api/v1/calls?limit=2&page=2");
        Assert.Equal((2, 2, 3L, 2L, false), PaginationOf(second));
        var order = first.GetProperty("calls").EnumerateArray().Concat(second.GetProperty("calls").EnumerateArray())
            .Select(c => c.GetProperty("id").GetString()!).ToList();
        Assert.Equal(ids.AsEnumerable().Reverse().ToList(), order);
        var open = first.GetProperty("calls")[0];
        Assert.Equal(JsonValueKind.Null, open.GetProperty("endedAt").ValueKind);
        Assert.Equal("telnyx", open.GetProperty("channel").GetString());
    }
}
