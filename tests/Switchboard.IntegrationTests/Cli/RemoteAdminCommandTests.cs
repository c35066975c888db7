using System.Text.Json;
using System.Text.RegularExpressions;
using Switchboard.Control;

namespace Switchboard.IntegrationTests.Cli;

/// <summary>The admin commands in remote mode (<c>--server</c>), over HTTP against <see cref="AdminApiStub"/>.</summary>
public sealed partial class RemoteAdminCommandTests : IAsyncLifetime
{
    private AdminApiStub _api = null!;

    public async Task InitializeAsync() => _api = await AdminApiStub.StartAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task Keys_CreateListRevokeByPrefix_OverTheApi()
    {
        var created = await RunAsync("keys", "create", "--name", "ci", "--scopes", "read_calls");
        Assert.True(created.ExitCode == 0, created.ToString());
        var key = Assert.Single(KeyPattern().Matches(created.Out)).Value;
        Assert.Contains("it will not be shown again", created.Out, StringComparison.Ordinal);
        Assert.Contains(_api.Requests, r => r.StartsWith("POST /api/v1/keys ", StringComparison.Ordinal) && r.Contains("\"scopes\":[\"READ_CALLS\"]", StringComparison.Ordinal));

        // The new key works against the API on its own.
        var asCi = await CliRun.InvokeAsync(null, "calls", "list", "--server", _api.BaseUrl, "--api-key", key);
        Assert.True(asCi.ExitCode == 0, asCi.ToString());

        var list = await RunAsync("keys", "list");
        Assert.True(list.ExitCode == 0, list.ToString());
        ApiKeyFormat.TryGetPrefix(key, out var prefix);
        Assert.Contains(prefix, list.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(key, list.Out, StringComparison.Ordinal);

        var revoked = await RunAsync("keys", "revoke", prefix);
        Assert.True(revoked.ExitCode == 0, revoked.ToString());
        Assert.Contains($"Revoked API key 'ci' ({prefix})", revoked.Out, StringComparison.Ordinal);
        Assert.Contains(_api.Requests, r => r.StartsWith("DELETE /api/v1/keys/", StringComparison.Ordinal));

        var refused = await CliRun.InvokeAsync(null, "calls", "list", "--server", _api.BaseUrl, "--api-key", key);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("error: 401 Unauthorized: API key revoked", refused.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongKey_Is401_AndMissingScopeIs403_BothExitOne()
    {
        var readOnly = _api.CreateKey("reader", ApiScopes.ReadCalls);

        var wrong = await CliRun.InvokeAsync(null, "keys", "list", "--server", _api.BaseUrl, "--api-key", "sb_abcdefgh_notarealkey");
        var forbidden = await CliRun.InvokeAsync(null, "keys", "list", "--server", _api.BaseUrl, "--api-key", readOnly);

        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("error: 401 Unauthorized: invalid API key", wrong.Error, StringComparison.Ordinal);
        Assert.Equal(1, forbidden.ExitCode);
        Assert.Contains("error: 403 Forbidden: this API key lacks the ADMIN scope", forbidden.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Endpoints_CreateShowUpdateDelete_OverTheApi()
    {
        var created = await RunAsync("endpoints", "create", "--name", "sales", "--voice", "cedar", "--modes", "text", "--phone", "+15551230001");
        Assert.True(created.ExitCode == 0, created.ToString());

        var show = await RunAsync("endpoints", "show", "sales");
        Assert.True(show.ExitCode == 0, show.ToString());
        using (var doc = JsonDocument.Parse(show.Out))
        {
            Assert.Equal("cedar", doc.RootElement.GetProperty("voice").GetString());
            Assert.Equal(["+15551230001"], doc.RootElement.GetProperty("phoneNumbers").EnumerateArray().Select(p => p.GetString()));
        }

        var updated = await RunAsync("endpoints", "update", "sales", "--voice", "marin");
        Assert.True(updated.ExitCode == 0, updated.ToString());
        var patch = Assert.Single(_api.Requests, r => r.StartsWith("PATCH ", StringComparison.Ordinal));
        Assert.EndsWith(" {\"voice\":\"marin\"}", patch, StringComparison.Ordinal); // only the given field is sent

        var deleted = await RunAsync("endpoints", "delete", "sales");
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        var gone = await RunAsync("endpoints", "show", "sales");
        Assert.Equal(1, gone.ExitCode);
        Assert.Contains("no endpoint 'sales'", gone.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EndpointsCreate_ValidationProblem_ExitTwoWithTheFieldErrors()
    {
        var run = await RunAsync("endpoints", "create", "--name", "bad", "--backend", "watson", "--modes", "telepathy");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("error: 400 ", run.Error, StringComparison.Ordinal);
        Assert.Contains("the request has invalid fields", run.Error, StringComparison.Ordinal);
        Assert.Contains("backend must be one of", run.Error, StringComparison.Ordinal);
        Assert.Contains("unknown mode 'telepathy'", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EndpointsDelete_Default_IsAConflict()
    {
        var run = await RunAsync("endpoints", "delete", "default");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("error: 409 Conflict: the team's default endpoint cannot be deleted", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EndpointsShow_ByName_SearchesPastTheFirstPage()
    {
        for (var i = 0; i < 130; i++)
        {
            _api.SeedEndpoint($"bulk-{i}");
        }

        var run = await RunAsync("endpoints", "show", "bulk-125");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains(_api.Requests, r => r.StartsWith("GET /api/v1/endpoints?page=2&limit=100", StringComparison.Ordinal));
        using var doc = JsonDocument.Parse(run.Out);
        Assert.Equal("bulk-125", doc.RootElement.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Calls_ListAndShow_OverTheApi()
    {
        _api.SeedCall(CallEvents.Sample("call-1", null));

        var list = await RunAsync("calls", "list");
        var show = await RunAsync("calls", "show", "call-1");
        var json = await RunAsync("calls", "show", "call-1", "--json");

        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.StartsWith("call-1 ", list.Out.Split('\n')[1], StringComparison.Ordinal);
        Assert.True(show.ExitCode == 0, show.ToString());
        Assert.Contains("[00:00:03] agent: Let me check that for you, one moment please. (interrupted, heard 1.2 s)", show.Out, StringComparison.Ordinal);
        Assert.Contains("after 1m 23s (caller_hangup)", show.Out, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(json.Out);
        Assert.Equal(6, doc.RootElement.GetProperty("events").GetArrayLength());
        Assert.Equal(3, doc.RootElement.GetProperty("transcript").GetArrayLength());
    }

    [Fact]
    public async Task ServerAndKey_FromTheEnvironment()
    {
        var environment = new Dictionary<string, string> { ["SWITCHBOARD_SERVER"] = _api.BaseUrl, ["SWITCHBOARD_API_KEY"] = _api.AdminKey };

        var run = await CliRun.InvokeAsync(environment, "keys", "list", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        using var doc = JsonDocument.Parse(run.Out);
        Assert.Equal("bootstrap", doc.RootElement.GetProperty("keys")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task UnreachableServer_ExitThree()
    {
        // A port that was just free: nothing listens there.
        var port = Switchboard.IntegrationTests.Gateway.TestPorts.Unused();

        var run = await CliRun.InvokeAsync(null, "keys", "list", "--server", $"http://127.0.0.1:{port}", "--api-key", _api.AdminKey);

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("cannot reach the gateway", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("keys", "list", "--team", "acme")]
    [InlineData("calls", "list", "--all-teams")]
    [InlineData("teams", "list")]
    public async Task LocalOnlyOptions_WithServer_AreUsageErrors(params string[] args)
    {
        var run = await RunAsync(args);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("local mode only", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerWithoutKey_IsAUsageError()
    {
        var run = await CliRun.InvokeAsync(null, "keys", "list", "--server", _api.BaseUrl);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("remote mode needs an API key", run.Error, StringComparison.Ordinal);
    }

    private Task<CliRun> RunAsync(params string[] args) =>
        CliRun.InvokeAsync(null, [.. args, "--server", _api.BaseUrl, "--api-key", _api.AdminKey]);

    [GeneratedRegex(@"sb_[a-z2-9]{8}_[A-Za-z0-9_-]{43}")]
    private static partial Regex KeyPattern();
}
