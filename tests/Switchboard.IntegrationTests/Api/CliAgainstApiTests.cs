using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Switchboard.Agents;
using Switchboard.Control;
using Switchboard.IntegrationTests.Cli;
using Switchboard.IntegrationTests.Sessions;
using Switchboard.Journal;

namespace Switchboard.IntegrationTests.Api;

/// <summary>
/// The CLI's remote mode (<c>--server</c>) against the real gateway API, not a stub: the two sides of the REST
/// contract agree on shapes, status codes and problems.
/// </summary>
public partial class CliAgainstApiTests : IClassFixture<ApiGateway>
{
    private readonly ApiGateway _api;

    public CliAgainstApiTests(ApiGateway api) => _api = api;

    private async Task<CliRun> RunAsync(string key, params string[] args) =>
        await CliRun.InvokeAsync(null, [.. args, "--server", _api.Gateway.BaseUrl, "--api-key", key]);

    [Fact]
    public async Task Keys_CreateUseListRevoke()
    {
        var admin = await _api.CreateKeyAsync(ApiScopes.Admin);
        var created = await RunAsync(admin, "keys", "create", "--name", "from-cli", "--scopes", "read_calls");
        Assert.True(created.ExitCode == 0, created.ToString());
        var key = Assert.Single(KeyPattern().Matches(created.Out)).Value;

        using (var http = _api.Client(key))
        using (var calls = await http.GetAsync("/api/v1/calls"))
        {
            Assert.Equal(HttpStatusCode.OK, calls.StatusCode);
        }

        ApiKeyFormat.TryGetPrefix(key, out var prefix);
        var list = await RunAsync(admin, "keys", "list");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains(prefix, list.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(key, list.Out, StringComparison.Ordinal);

        var revoked = await RunAsync(admin, "keys", "revoke", prefix);
        Assert.True(revoked.ExitCode == 0, revoked.ToString());
        var refused = await RunAsync(key, "calls", "list");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("401 Unauthorized: API key revoked", refused.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Endpoints_CreateShowUpdateDelete_AndProblems()
    {
        var key = await _api.CreateKeyAsync(ApiScopes.ManageEndpoints);
        var name = "cli-" + Guid.NewGuid().ToString("N")[..8];
        var created = await RunAsync(key, "endpoints", "create", "--name", name, "--voice", "cedar", "--modes", "text");
        Assert.True(created.ExitCode == 0, created.ToString());

        var updated = await RunAsync(key, "endpoints", "update", name, "--greeting", "Hello from the CLI.");
        Assert.True(updated.ExitCode == 0, updated.ToString());

        var show = await RunAsync(key, "endpoints", "show", name);
        Assert.True(show.ExitCode == 0, show.ToString());
        using (var doc = JsonDocument.Parse(show.Out))
        {
            Assert.Equal("cedar", doc.RootElement.GetProperty("voice").GetString());
            Assert.Equal("Hello from the CLI.", doc.RootElement.GetProperty("greeting").GetString());
            Assert.Equal(["text"], doc.RootElement.GetProperty("modes").EnumerateArray().Select(m => m.GetString()!).ToArray());
        }

        var invalid = await RunAsync(key, "endpoints", "create", "--name", name + "-bad", "--backend", "watson");
        Assert.Equal(2, invalid.ExitCode);
        Assert.Contains("backend must be one of", invalid.Error, StringComparison.Ordinal);

        var duplicate = await RunAsync(key, "endpoints", "create", "--name", name);
        Assert.Equal(1, duplicate.ExitCode);
        Assert.Contains("409", duplicate.Error, StringComparison.Ordinal);

        var defaultDelete = await RunAsync(key, "endpoints", "delete", "default");
        Assert.Equal(1, defaultDelete.ExitCode);
        Assert.Contains("409 Conflict: the team's default endpoint cannot be deleted", defaultDelete.Error, StringComparison.Ordinal);

        var deleted = await RunAsync(key, "endpoints", "delete", name);
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.Null(await _api.Gateway.Store.FindEndpointByNameAsync(_api.DefaultTeamId, name, CancellationToken.None));
    }

    [Fact]
    public async Task Calls_ListAndShowTheTranscript()
    {
        var team = await _api.CreateTeamAsync();
        await _api.Gateway.Store.AppendEventsAsync(CallEvents.Sample("call-cli-1", team), CancellationToken.None);
        var key = await _api.CreateKeyAsync(ApiScopes.ReadCalls, team);

        var list = await RunAsync(key, "calls", "list");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.StartsWith("call-cli-1 ", list.Out.Split('\n')[1], StringComparison.Ordinal);

        var show = await RunAsync(key, "calls", "show", "call-cli-1");
        Assert.True(show.ExitCode == 0, show.ToString());
        Assert.Contains("agent: Let me check that for you, one moment please. (interrupted, heard 1.2 s)", show.Out, StringComparison.Ordinal);
        Assert.Contains("(caller_hangup)", show.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Teams_ShowAndUpdateTheKeysTeam()
    {
        var team = await _api.CreateTeamAsync();
        var admin = await _api.CreateKeyAsync(ApiScopes.Admin, team);

        var updated = await RunAsync(admin, "teams", "update", "--max-concurrent-calls", "4", "--time-zone", "America/New_York");
        Assert.True(updated.ExitCode == 0, updated.ToString());
        Assert.Contains("Max concurrent calls    4", updated.Out, StringComparison.Ordinal);
        Assert.Contains("Days counted in         America/New_York", updated.Out, StringComparison.Ordinal);

        var show = await RunAsync(admin, "teams", "show", "--json");
        Assert.True(show.ExitCode == 0, show.ToString());
        using (var doc = JsonDocument.Parse(show.Out))
        {
            Assert.Equal(team, doc.RootElement.GetProperty("id").GetGuid());
            Assert.Equal(admin[..11], doc.RootElement.GetProperty("key").GetProperty("prefix").GetString());
            Assert.Equal(4, doc.RootElement.GetProperty("limits").GetProperty("maxConcurrentCalls").GetInt32());
        }

        var invalid = await RunAsync(admin, "teams", "update", "--max-daily-call-seconds", "100000");
        Assert.Equal(2, invalid.ExitCode);
        Assert.Contains("error: 400 ", invalid.Error, StringComparison.Ordinal);
        Assert.Contains("limits.maxDailyCallSeconds must be 0 (no budget) to 86400", invalid.Error, StringComparison.Ordinal);

        var reader = await _api.CreateKeyAsync(ApiScopes.ReadCalls, team);
        var forbidden = await RunAsync(reader, "teams", "update", "--max-concurrent-calls", "1");
        Assert.Equal(1, forbidden.ExitCode);
        Assert.Contains("error: 403 Forbidden: this API key lacks the ADMIN scope", forbidden.Error, StringComparison.Ordinal);
        Assert.Equal(4, (await _api.Gateway.Store.GetTeamAsync(team, CancellationToken.None))!.Limits.MaxConcurrentCalls);
    }

    [Fact]
    public async Task Usage_PerDayOfTheKeysTeam_ByEndpointName()
    {
        var team = await _api.CreateTeamAsync();
        var endpoint = await SessionApi.CreateEndpointAsync(_api.Gateway, new AgentSpec(), team, "support");
        await _api.Gateway.Store.AppendEventsAsync(UsageApiTests.EndedCall(team, endpoint.Id, "2026-03-01T09:00:00Z", 61_000, 0.5), CancellationToken.None);
        var key = await _api.CreateKeyAsync(ApiScopes.ReadCalls, team);

        // A name is looked up in the endpoint listing, which needs READ_TEAM_APPS; an id needs READ_CALLS only.
        var table = await RunAsync(await _api.CreateKeyAsync(ApiScopes.ReadCalls | ApiScopes.ReadTeamApps, team), "usage", "--from", "2026-03-01", "--to", "2026-03-01", "--endpoint", "support");
        var json = await RunAsync(key, "usage", "--from", "2026-03-01", "--to", "2026-03-01", "--endpoint", endpoint.Id.ToString(), "--json");

        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("2026-03-01  1      0        1m 01s  $0.50", table.Out, StringComparison.Ordinal);
        Assert.Contains("endpoint support", table.Out, StringComparison.Ordinal);
        Assert.True(json.ExitCode == 0, json.ToString());
        using var doc = JsonDocument.Parse(json.Out);
        Assert.Equal(endpoint.Id, doc.RootElement.GetProperty("days")[0].GetProperty("endpoints")[0].GetProperty("endpointId").GetGuid());
    }

    [Fact]
    public async Task Calls_LiveAndHangup_EndTheCallAsOperatorHangup()
    {
        var team = await _api.CreateTeamAsync();
        var endpoint = await SessionApi.CreateEndpointAsync(_api.Gateway, new AgentSpec(), team);
        var created = await SessionApi.CreateSessionAsync(_api.Gateway, await _api.CreateKeyAsync(ApiScopes.CreateCallToken, team), endpoint.Id);
        await using var client = await SessionTestClient.ConnectAsync(created.WsUrl);
        var callId = (await client.WaitForTypeAsync("status")).GetProperty("payload").GetProperty("callId").GetString()!;
        var manager = await _api.CreateKeyAsync(ApiScopes.ManageCalls, team);

        var live = await RunAsync(manager, "calls", "live");
        Assert.True(live.ExitCode == 0, live.ToString());
        var lines = live.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("ID", lines[0], StringComparison.Ordinal);
        Assert.StartsWith(callId + " ", lines[1], StringComparison.Ordinal);
        Assert.Contains(" websocket ", lines[1], StringComparison.Ordinal);
        Assert.Contains("(1 live call)", live.Out, StringComparison.Ordinal);

        var hangup = await RunAsync(manager, "calls", "hangup", callId, "--say", "Goodbye from the CLI.", "--reason", "cli test");
        Assert.True(hangup.ExitCode == 0, hangup.ToString());
        Assert.Contains($"Hanging up call {callId}", hangup.Out, StringComparison.Ordinal);
        Assert.Equal(1000, await client.WaitForCloseAsync(TimeSpan.FromSeconds(20)));
        var events = await _api.Gateway.WaitForEndedCallAsync(callId);
        Assert.Equal(CallEndReason.OperatorHangup, events[^1].Reason);
        Assert.Equal("cli test", events[^1].Detail);

        var unknown = await RunAsync(manager, "calls", "hangup", "call_nope");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("error: 404 Not Found: no live call with this id on this node", unknown.Error, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"sb_[a-z2-9]{8}_[A-Za-z0-9_-]{43}")]
    private static partial Regex KeyPattern();
}
