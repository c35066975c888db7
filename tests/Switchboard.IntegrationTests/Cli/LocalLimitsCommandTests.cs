using System.Text.Json;
using Switchboard.Control;
using Switchboard.IntegrationTests.Api;

namespace Switchboard.IntegrationTests.Cli;

/// <summary><c>teams show|update</c>, <c>usage</c>, endpoint limit options and <c>calls live|hangup</c> in local mode.</summary>
public sealed class LocalLimitsCommandTests : IDisposable
{
    private readonly LocalCliFixture _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task TeamsUpdate_ChangesOnlyTheGivenLimits_AndShowPrintsThem()
    {
        var first = await _cli.RunAsync("teams", "update", "--max-concurrent-calls", "3", "--time-zone", "Europe/Berlin", "--max-daily-cost-usd", "12.5");
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("Updated the limits of team 'default': maxDailyCostUsd, maxConcurrentCalls, timeZone.", first.Out, StringComparison.Ordinal);

        var second = await _cli.RunAsync("teams", "update", "--max-call-seconds", "600", "--max-daily-cost-usd", "0");
        Assert.True(second.ExitCode == 0, second.ToString());

        var show = await _cli.RunAsync("teams", "show");
        Assert.True(show.ExitCode == 0, show.ToString());
        Assert.Contains("Max call length         600 s (10m 00s)", show.Out, StringComparison.Ordinal);
        Assert.Contains("Max cost a day          none", show.Out, StringComparison.Ordinal);
        Assert.Contains("Max concurrent calls    3", show.Out, StringComparison.Ordinal);
        Assert.Contains("Days counted in         Europe/Berlin", show.Out, StringComparison.Ordinal);

        var json = await _cli.RunAsync("teams", "show", "--json");
        using var doc = JsonDocument.Parse(json.Out);
        Assert.Equal("default", doc.RootElement.GetProperty("name").GetString());
        Assert.False(doc.RootElement.TryGetProperty("key", out _)); // local mode has no key
        Assert.Equal(600, doc.RootElement.GetProperty("limits").GetProperty("maxCallSeconds").GetInt32());
        var team = await _cli.Store.FindTeamByNameAsync("default", CancellationToken.None);
        Assert.Equal(new TeamLimits { MaxCallSeconds = 600, MaxConcurrentCalls = 3, TimeZone = "Europe/Berlin" }, team!.Limits);

        // "" puts the days back on UTC.
        Assert.Equal(0, (await _cli.RunAsync("teams", "update", "--time-zone", "")).ExitCode);
        Assert.Null((await _cli.Store.FindTeamByNameAsync("default", CancellationToken.None))!.Limits.TimeZone);
    }

    [Fact]
    public async Task TeamsUpdate_InvalidOrNothing_ExitTwoNamingEachField()
    {
        var invalid = await _cli.RunAsync("teams", "update", "--max-concurrent-calls", "-1", "--time-zone", "Mars/Olympus_Mons");
        var nothing = await _cli.RunAsync("teams", "update");

        Assert.Equal(2, invalid.ExitCode);
        Assert.Contains("error: the team's limits are invalid", invalid.Error, StringComparison.Ordinal);
        Assert.Contains("  - limits.maxConcurrentCalls must be 0 (no cap) to 100000", invalid.Error, StringComparison.Ordinal);
        Assert.Contains("Mars/Olympus_Mons", invalid.Error, StringComparison.Ordinal);
        Assert.Equal(2, nothing.ExitCode);
        Assert.Contains("nothing to change", nothing.Error, StringComparison.Ordinal);
        Assert.Equal(TeamLimits.None, (await _cli.Store.FindTeamByNameAsync("default", CancellationToken.None))!.Limits);
    }

    [Fact]
    public async Task Usage_PrintsEachDayAndTheTotal_ForTheTeamOrOneEndpoint()
    {
        Assert.Equal(0, (await _cli.RunAsync("endpoints", "create", "--name", "sales")).ExitCode);
        var team = (await _cli.Store.FindTeamByNameAsync("default", CancellationToken.None))!.Id;
        var sales = (await _cli.Store.FindEndpointByNameAsync(team, "sales", CancellationToken.None))!.Id;
        var other = (await _cli.Store.FindEndpointByNameAsync(team, "default", CancellationToken.None))!.Id;
        foreach (var call in new[]
        {
            UsageApiTests.EndedCall(team, sales, "2026-03-01T09:00:00Z", 90_000, 0.25),
            UsageApiTests.EndedCall(team, other, "2026-03-01T10:00:00Z", 30_000, null),
            UsageApiTests.RefusedCall(team, sales, "2026-03-02T10:00:00Z"),
        })
        {
            await _cli.Store.AppendEventsAsync(call, CancellationToken.None);
        }

        var all = await _cli.RunAsync("usage", "--from", "2026-03-01", "--to", "2026-03-02");
        var one = await _cli.RunAsync("usage", "--from", "2026-03-01", "--to", "2026-03-02", "--endpoint", "sales", "--json");

        Assert.True(all.ExitCode == 0, all.ToString());
        var lines = all.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("Usage from 2026-03-01 00:00 +00:00 to 2026-03-03 00:00 +00:00, days in UTC, all endpoints", lines[0]);
        Assert.Equal("DATE        CALLS  REFUSED  TIME    COST", lines[1]);
        Assert.Equal("2026-03-01  2      0        2m 00s  $0.25", lines[2]);
        Assert.Equal("2026-03-02  0      1        0s      $0.00", lines[3]);
        Assert.Equal("total       2      1        2m 00s  $0.25", lines[4]);
        Assert.True(one.ExitCode == 0, one.ToString());
        using var doc = JsonDocument.Parse(one.Out);
        Assert.Equal(sales, doc.RootElement.GetProperty("endpointId").GetGuid());
        Assert.Equal(90, doc.RootElement.GetProperty("totals").GetProperty("seconds").GetDouble());
        Assert.Equal(1, doc.RootElement.GetProperty("totals").GetProperty("refused").GetInt32());

        var bad = await _cli.RunAsync("usage", "--to", "someday");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("error: to must be an ISO 8601 date", bad.Error, StringComparison.Ordinal);
        var unknown = await _cli.RunAsync("usage", "--endpoint", "nope");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("no endpoint 'nope'", unknown.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EndpointLimitOptions_SetOnCreate_AndAnUpdateKeepsTheLimitsItDoesNotName()
    {
        var created = await _cli.RunAsync("endpoints", "create", "--name", "sales", "--max-concurrent-calls", "2", "--idle-timeout-seconds", "300", "--max-call-cost-usd", "0.5");
        Assert.True(created.ExitCode == 0, created.ToString());

        var updated = await _cli.RunAsync("endpoints", "update", "sales", "--max-call-seconds", "600", "--max-daily-call-seconds", "3600");
        Assert.True(updated.ExitCode == 0, updated.ToString());

        var show = await _cli.RunAsync("endpoints", "show", "sales");
        using var doc = JsonDocument.Parse(show.Out);
        var limits = doc.RootElement.GetProperty("limits");
        Assert.Equal(600, limits.GetProperty("maxCallSeconds").GetInt32());
        Assert.Equal(3600, limits.GetProperty("maxDailyCallSeconds").GetInt32());
        Assert.Equal(2, limits.GetProperty("maxConcurrentCalls").GetInt32());
        Assert.Equal(300, limits.GetProperty("idleTimeoutSeconds").GetInt32());
        Assert.Equal(0.5, limits.GetProperty("maxCallCostUsd").GetDouble());
        Assert.Equal(3600, limits.GetProperty("sessionTtlSeconds").GetInt32());
        Assert.False(limits.TryGetProperty("callWarningSeconds", out _)); // still the gateway's default

        var invalid = await _cli.RunAsync("endpoints", "update", "sales", "--idle-warning-seconds", "400");
        Assert.Equal(2, invalid.ExitCode);
        Assert.Contains("limits.idleWarningSeconds must be shorter than idleTimeoutSeconds", invalid.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("live")]
    [InlineData("hangup", "call_0123", "--say", "Bye.")]
    public async Task LiveCallCommands_LocalMode_ExitTwoSayingTheyNeedTheGateway(params string[] args)
    {
        var run = await _cli.RunAsync(["calls", .. args]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("error: live calls are in the running gateway's memory, not in its database: run this against the gateway with --server", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(_cli.DatabasePath)); // refused before opening the database
    }
}
