using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Switchboard.Control;
using Switchboard.IntegrationTests.Cli;

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

    [GeneratedRegex(@"sb_[a-z2-9]{8}_[A-Za-z0-9_-]{43}")]
    private static partial Regex KeyPattern();
}
