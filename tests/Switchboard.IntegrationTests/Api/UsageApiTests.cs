using System.Globalization;
using System.Net;
using System.Text.Json;
using Switchboard.Agents;
using Switchboard.Control;
using Switchboard.IntegrationTests.Sessions;
using Switchboard.Journal;

namespace Switchboard.IntegrationTests.Api;

/// <summary>
/// <c>GET /api/v1/usage</c> on a real gateway, over calls journalled through its store as the bridge writes them
/// (<c>CallStarted</c>, <c>CallEnded</c> with duration and cost, <c>CallRefused</c>). Each test works in a team of its own.
/// </summary>
public class UsageApiTests : IClassFixture<ApiGateway>
{
    private readonly ApiGateway _api;

    public UsageApiTests(ApiGateway api) => _api = api;

    private static DateTimeOffset At(string utc) => DateTimeOffset.Parse(utc, CultureInfo.InvariantCulture);

    /// <summary>An ended call's journal: started at <paramref name="startUtc"/>, lasting <paramref name="ms"/>, costing <paramref name="cost"/> (null: no price).</summary>
    internal static IReadOnlyList<CallEvent> EndedCall(Guid team, Guid endpoint, string startUtc, long ms, double? cost)
    {
        var id = "call_" + Guid.NewGuid().ToString("N");
        var start = At(startUtc);
        var ended = new Dictionary<string, string> { [CallEventKeys.DurationMs] = ms.ToString(CultureInfo.InvariantCulture) };
        if (cost is { } usd)
        {
            ended[CallEventKeys.CostUsd] = usd.ToString(CultureInfo.InvariantCulture);
        }

        return
        [
            new CallEvent { CallId = id, Sequence = 0, At = start, Type = CallEventType.CallStarted, Data = Started(team, endpoint) },
            new CallEvent { CallId = id, Sequence = 1, At = start.AddMilliseconds(ms), Type = CallEventType.CallEnded, Reason = CallEndReason.CallerHangup, Data = ended },
        ];
    }

    internal static IReadOnlyList<CallEvent> RefusedCall(Guid team, Guid endpoint, string atUtc) =>
    [
        new CallEvent
        {
            CallId = "call_" + Guid.NewGuid().ToString("N"), Sequence = 0, At = At(atUtc), Type = CallEventType.CallRefused,
            Reason = "concurrency_limit", Data = Started(team, endpoint),
        },
    ];

    private static Dictionary<string, string> Started(Guid team, Guid endpoint) => new()
    {
        [CallEventKeys.Carrier] = "twilio",
        [CallEventKeys.TeamId] = team.ToString("D"),
        [CallEventKeys.EndpointId] = endpoint.ToString("D"),
    };

    private async Task SeedAsync(params IReadOnlyList<CallEvent>[] calls)
    {
        foreach (var call in calls)
        {
            await _api.Gateway.Store.AppendEventsAsync(call, CancellationToken.None);
        }
    }

    private async Task<Guid> EndpointAsync(Guid team) => (await SessionApi.CreateEndpointAsync(_api.Gateway, new AgentSpec(), team)).Id;

    private async Task<JsonElement> UsageAsync(Guid team, string query, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var http = _api.Client(await _api.CreateKeyAsync(ApiScopes.ReadCalls, team));
        using var response = await http.GetAsync("/api/v1/usage" + query);
        return expected == HttpStatusCode.OK ? await ApiGateway.ReadJsonAsync(response, expected) : await ApiGateway.ReadProblemAsync(response, expected);
    }

    [Fact]
    public async Task Usage_UtcTeam_AddsUpEachDayAndEndpoint_DatesIncludeTheirWholeDay()
    {
        var team = await _api.CreateTeamAsync();
        var (a, b) = (await EndpointAsync(team), await EndpointAsync(team));
        await SeedAsync(
            EndedCall(team, a, "2026-03-01T09:00:00Z", 60_000, 0.10),
            EndedCall(team, a, "2026-03-01T10:00:00Z", 30_500, null), // no price: adds seconds, no cost
            EndedCall(team, b, "2026-03-01T23:59:00Z", 10_000, 0.02),
            RefusedCall(team, b, "2026-03-01T12:00:00Z"),
            EndedCall(team, a, "2026-03-03T08:00:00Z", 5_000, 0.30),
            EndedCall(team, a, "2026-02-28T23:59:59Z", 1_000, 1), // before the span
            EndedCall(team, a, "2026-03-04T00:00:00Z", 1_000, 1)); // after it

        var report = await UsageAsync(team, "?from=2026-03-01&to=2026-03-03");

        Assert.Equal("2026-03-01T00:00:00+00:00", report.GetProperty("from").GetString());
        Assert.Equal("2026-03-04T00:00:00+00:00", report.GetProperty("to").GetString());
        Assert.Equal("UTC", report.GetProperty("timeZone").GetString());
        Assert.Equal(JsonValueKind.Null, report.GetProperty("endpointId").ValueKind);
        var days = report.GetProperty("days").EnumerateArray().ToList();
        Assert.Equal(["2026-03-01", "2026-03-02", "2026-03-03"], days.Select(d => d.GetProperty("date").GetString()));
        AssertFigures(days[0], calls: 3, refused: 1, seconds: 100.5, cost: 0.12);
        var byEndpoint = days[0].GetProperty("endpoints").EnumerateArray().ToList();
        Assert.Equal([a, b], byEndpoint.Select(e => e.GetProperty("endpointId").GetGuid()));
        AssertFigures(byEndpoint[0], calls: 2, refused: 0, seconds: 90.5, cost: 0.10);
        AssertFigures(byEndpoint[1], calls: 1, refused: 1, seconds: 10, cost: 0.02);
        AssertFigures(days[1], calls: 0, refused: 0, seconds: 0, cost: 0);
        Assert.Equal(0, days[1].GetProperty("endpoints").GetArrayLength());
        AssertFigures(days[2], calls: 1, refused: 0, seconds: 5, cost: 0.30);
        AssertFigures(report.GetProperty("totals"), calls: 4, refused: 1, seconds: 105.5, cost: 0.42);
    }

    [Fact]
    public async Task Usage_OneEndpoint_CountsOnlyItsCalls()
    {
        var team = await _api.CreateTeamAsync();
        var (a, b) = (await EndpointAsync(team), await EndpointAsync(team));
        await SeedAsync(
            EndedCall(team, a, "2026-03-01T09:00:00Z", 60_000, 0.10),
            EndedCall(team, b, "2026-03-01T11:00:00Z", 10_000, 0.02),
            RefusedCall(team, b, "2026-03-01T12:00:00Z"));

        var report = await UsageAsync(team, $"?from=2026-03-01&to=2026-03-01&endpointId={b}");

        Assert.Equal(b, report.GetProperty("endpointId").GetGuid());
        var day = Assert.Single(report.GetProperty("days").EnumerateArray());
        AssertFigures(day, calls: 1, refused: 1, seconds: 10, cost: 0.02);
        Assert.Equal(b, Assert.Single(day.GetProperty("endpoints").EnumerateArray()).GetProperty("endpointId").GetGuid());
        AssertFigures(report.GetProperty("totals"), calls: 1, refused: 1, seconds: 10, cost: 0.02);
    }

    [Fact]
    public async Task Usage_TeamTimeZone_CountsDaysInThatZone()
    {
        var team = await _api.CreateTeamAsync();
        await _api.Gateway.Store.SetTeamLimitsAsync(team, new TeamLimits { TimeZone = "America/New_York" }, CancellationToken.None);
        var a = await EndpointAsync(team);
        await SeedAsync(
            EndedCall(team, a, "2026-03-02T03:00:00Z", 20_000, null), // 22:00 on 1 March in New York
            EndedCall(team, a, "2026-03-02T06:00:00Z", 40_000, null)); // 01:00 on 2 March

        var report = await UsageAsync(team, "?from=2026-03-01&to=2026-03-02");

        Assert.Equal("America/New_York", report.GetProperty("timeZone").GetString());
        Assert.Equal("2026-03-01T00:00:00-05:00", report.GetProperty("from").GetString());
        Assert.Equal("2026-03-03T00:00:00-05:00", report.GetProperty("to").GetString());
        var days = report.GetProperty("days").EnumerateArray().ToList();
        Assert.Equal(["2026-03-01", "2026-03-02"], days.Select(d => d.GetProperty("date").GetString()));
        AssertFigures(days[0], calls: 1, refused: 0, seconds: 20, cost: 0);
        AssertFigures(days[1], calls: 1, refused: 0, seconds: 40, cost: 0);

        // A date-time without an offset is local time in the team's zone; with one, that instant.
        var local = await UsageAsync(team, "?from=2026-03-01T21:00:00&to=2026-03-01T23:00:00");
        Assert.Equal(1, local.GetProperty("totals").GetProperty("calls").GetInt32());
        var utc = await UsageAsync(team, "?from=2026-03-02T05:00:00Z&to=2026-03-02T07:00:00%2B00:00");
        Assert.Equal(40, utc.GetProperty("totals").GetProperty("seconds").GetDouble());
    }

    [Fact]
    public async Task Usage_NoSpan_IsTheLastSevenDaysTodayIncluded()
    {
        var team = await _api.CreateTeamAsync();
        var before = DateTimeOffset.UtcNow;

        var report = await UsageAsync(team, "");

        var days = report.GetProperty("days").EnumerateArray().Select(d => DateOnly.Parse(d.GetProperty("date").GetString()!, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(7, days.Count);
        Assert.Contains(days[^1], new[] { DateOnly.FromDateTime(before.UtcDateTime), DateOnly.FromDateTime(DateTime.UtcNow) });
        Assert.Equal(days[^1].AddDays(-6), days[0]);
        Assert.InRange(report.GetProperty("to").GetDateTimeOffset(), before, DateTimeOffset.UtcNow);
    }

    [Theory]
    [InlineData("?from=2026-13-01", "from")]
    [InlineData("?from=yesterday", "from")]
    [InlineData("?to=2026-03-01T25:00:00Z", "to")]
    [InlineData("?from=2026-03-05&to=2026-03-01", "to")]
    [InlineData("?from=2026-01-01&to=2026-06-01", "from")]
    [InlineData("?endpointId=not-a-uuid", "endpointId")]
    public async Task Usage_BadParameter_Is400NamingIt(string query, string parameter)
    {
        var problem = await UsageAsync(await _api.CreateTeamAsync(), query, HttpStatusCode.BadRequest);

        var errors = problem.GetProperty("errors");
        Assert.Equal([parameter], errors.EnumerateObject().Select(e => e.Name));
        Assert.StartsWith(parameter + " must", errors.GetProperty(parameter)[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Usage_AnotherTeamsOrAnUnknownEndpoint_Is404()
    {
        var theirs = await EndpointAsync(await _api.CreateTeamAsync());
        var mine = await _api.CreateTeamAsync();

        await UsageAsync(mine, $"?endpointId={theirs}", HttpStatusCode.NotFound);
        await UsageAsync(mine, $"?endpointId={Guid.NewGuid()}", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Usage_WithoutReadCalls_Is403()
    {
        using var http = _api.Client(await _api.CreateKeyAsync(ApiScopes.ManageEndpoints | ApiScopes.ManageCalls, await _api.CreateTeamAsync()));

        using var response = await http.GetAsync("/api/v1/usage");

        var problem = await ApiGateway.ReadProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.Equal("this API key lacks the READ_CALLS scope", problem.GetProperty("detail").GetString());
    }

    private static void AssertFigures(JsonElement figures, int calls, int refused, double seconds, double cost)
    {
        Assert.Equal(calls, figures.GetProperty("calls").GetInt32());
        Assert.Equal(refused, figures.GetProperty("refused").GetInt32());
        Assert.Equal(seconds, figures.GetProperty("seconds").GetDouble(), 3);
        Assert.Equal(cost, figures.GetProperty("costUsd").GetDouble(), 6);
    }
}
