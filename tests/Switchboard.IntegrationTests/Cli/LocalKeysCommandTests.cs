using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Control;
using Switchboard.Server.Api;

namespace Switchboard.IntegrationTests.Cli;

public sealed partial class LocalKeysCommandTests : IDisposable
{
    private readonly LocalCliFixture _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task FirstRun_CreatesDefaultTeamAndPrintsTheFirstKeyHintOnce()
    {
        var first = await _cli.RunAsync("keys", "list");
        var second = await _cli.RunAsync("keys", "list");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("Created team 'default'. Create your first key: switchboard keys create --name admin --scopes ADMIN", first.Error, StringComparison.Ordinal);
        Assert.Contains("No API keys yet", first.Out, StringComparison.Ordinal);
        Assert.Equal(0, second.ExitCode);
        Assert.DoesNotContain("Created team", second.Error, StringComparison.Ordinal);
        Assert.NotNull(await _cli.Store.FindTeamByNameAsync("default", CancellationToken.None));
        Assert.True(File.Exists(_cli.DatabasePath));
    }

    [Fact]
    public async Task KeysCreate_PrintedKeyAuthenticatesWithItsScopes_AndListNeverShowsIt()
    {
        var created = await _cli.RunAsync("keys", "create", "--name", "ci", "--scopes", "READ_CALLS,manage_endpoints");

        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.DoesNotContain("Create your first key", created.Error, StringComparison.Ordinal);
        Assert.Contains("it will not be shown again", created.Out, StringComparison.Ordinal);
        Assert.Contains("MANAGE_ENDPOINTS,READ_CALLS", created.Out, StringComparison.Ordinal);
        var key = Assert.Single(KeyPattern().Matches(created.Out)).Value;

        var caller = await AuthenticateAsync(key, ApiScopes.ReadCalls);
        Assert.NotNull(caller);
        var team = await _cli.Store.FindTeamByNameAsync("default", CancellationToken.None);
        Assert.Equal(team!.Id, caller.TeamId);
        Assert.Null(await AuthenticateAsync(key, ApiScopes.Admin)); // lacks ADMIN → 403

        ApiKeyFormat.TryGetPrefix(key, out var prefix);
        var secret = key[(prefix.Length + 1)..];
        foreach (var args in new[] { new[] { "keys", "list" }, ["keys", "list", "--json"] })
        {
            var list = await _cli.RunAsync(args);
            Assert.True(list.ExitCode == 0, list.ToString());
            Assert.Contains(prefix, list.Out, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, list.Out, StringComparison.Ordinal);
            Assert.DoesNotContain(key, list.Out + list.Error, StringComparison.Ordinal);
        }

        var table = (await _cli.RunAsync("keys", "list")).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["ID", "NAME", "PREFIX", "SCOPES", "CREATED", "LAST", "USED", "REVOKED"], table[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(table[0].IndexOf("PREFIX", StringComparison.Ordinal), table[1].IndexOf(prefix, StringComparison.Ordinal));
    }

    [Fact]
    public async Task KeysCreate_Json_PrintsTheKeyOnceInTheApiShape()
    {
        var created = await _cli.RunAsync("keys", "create", "--name", "admin", "--scopes", "ADMIN", "--json");

        Assert.True(created.ExitCode == 0, created.ToString());
        using var doc = JsonDocument.Parse(created.Out);
        var root = doc.RootElement;
        Assert.Equal("admin", root.GetProperty("name").GetString());
        Assert.Equal(["ADMIN"], root.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        var key = root.GetProperty("key").GetString()!;
        Assert.StartsWith(root.GetProperty("prefix").GetString()! + "_", key, StringComparison.Ordinal);
        Assert.NotNull(await AuthenticateAsync(key, ApiScopes.ManageEndpoints)); // ADMIN holds every scope
    }

    [Fact]
    public async Task KeysRevoke_ByPrefix_KeyStopsAuthenticating_AndRevokingTwiceIsNotAnError()
    {
        var key = await CreateKeyAsync("ci", "READ_CALLS");
        ApiKeyFormat.TryGetPrefix(key, out var prefix);

        var revoked = await _cli.RunAsync("keys", "revoke", prefix);
        var again = await _cli.RunAsync("keys", "revoke", prefix);

        Assert.True(revoked.ExitCode == 0, revoked.ToString());
        Assert.Contains($"Revoked API key 'ci' ({prefix})", revoked.Out, StringComparison.Ordinal);
        Assert.Null(await AuthenticateAsync(key, ApiScopes.ReadCalls));
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("was already revoked", again.Out, StringComparison.Ordinal);
        var stored = await _cli.Store.FindKeyByPrefixAsync(prefix, CancellationToken.None);
        Assert.True(stored!.IsRevoked);
        var list = await _cli.RunAsync("keys", "list", "--json");
        using var doc = JsonDocument.Parse(list.Out);
        Assert.NotEqual(JsonValueKind.Null, doc.RootElement.GetProperty("keys")[0].GetProperty("revokedAt").ValueKind);
    }

    [Fact]
    public async Task KeysRevoke_ById_Works_AndAnUnknownKeyIsNotFound()
    {
        await CreateKeyAsync("one", "READ_CALLS");
        var id = (await _cli.Store.ListKeysAsync((await _cli.Store.FindTeamByNameAsync("default", CancellationToken.None))!.Id, CancellationToken.None))[0].Id;

        var byId = await _cli.RunAsync("keys", "revoke", id.ToString());
        var unknown = await _cli.RunAsync("keys", "revoke", "sb_zzzzzzzz");

        Assert.True(byId.ExitCode == 0, byId.ToString());
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("error: no API key 'sb_zzzzzzzz' in team 'default'", unknown.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeysRevoke_AnotherTeamsKey_IsNotFound()
    {
        Assert.Equal(0, (await _cli.RunAsync("teams", "create", "acme")).ExitCode);
        var acmeKey = await CreateKeyAsync("acme-ci", "READ_CALLS", "--team", "acme");
        ApiKeyFormat.TryGetPrefix(acmeKey, out var prefix);

        var fromDefault = await _cli.RunAsync("keys", "revoke", prefix);

        Assert.Equal(1, fromDefault.ExitCode);
        Assert.NotNull(await AuthenticateAsync(acmeKey, ApiScopes.ReadCalls));
        var acme = await _cli.Store.FindTeamByNameAsync("acme", CancellationToken.None);
        Assert.Equal(acme!.Id, (await AuthenticateAsync(acmeKey, ApiScopes.ReadCalls))!.TeamId);
        Assert.DoesNotContain(prefix, (await _cli.RunAsync("keys", "list")).Out, StringComparison.Ordinal);
        Assert.Contains(prefix, (await _cli.RunAsync("keys", "list", "--team", "acme")).Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--scopes", "READ_CALLS,SUPERUSER", "unknown scope 'SUPERUSER'")]
    [InlineData("--scopes", ",", "at least one scope")]
    public async Task KeysCreate_BadScopes_ExitsWithUsageError(string option, string value, string message)
    {
        var run = await _cli.RunAsync("keys", "create", "--name", "x", option, value);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
        Assert.DoesNotMatch(KeyPattern(), run.Out);
    }

    [Fact]
    public async Task KeysCreate_MissingName_IsAUsageError()
    {
        var run = await _cli.RunAsync("keys", "create", "--scopes", "ADMIN");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--name", run.Error, StringComparison.Ordinal);
        Assert.Contains("See 'switchboard keys create --help'", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownTeam_IsNotFoundAndNamesTheTeams()
    {
        var run = await _cli.RunAsync("keys", "list", "--team", "nope");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("no team named 'nope' (teams: default", run.Error, StringComparison.Ordinal);
    }

    private async Task<string> CreateKeyAsync(string name, string scopes, params string[] extra)
    {
        var run = await _cli.RunAsync(["keys", "create", "--name", name, "--scopes", scopes, .. extra]);
        Assert.True(run.ExitCode == 0, run.ToString());
        return Assert.Single(KeyPattern().Matches(run.Out)).Value;
    }

    /// <summary>The gateway's own X-API-Key check against the CLI's database; null when it would refuse.</summary>
    private async Task<ApiCaller?> AuthenticateAsync(string key, ApiScopes scope)
    {
        await using var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IApiKeyStore>(_cli.Store)
            .AddSingleton(TimeProvider.System)
            .BuildServiceProvider();
        var http = new DefaultHttpContext { RequestServices = services };
        http.Request.Headers[ApiKeyFilter.HeaderName] = key;
        var (caller, _) = await ApiKeyFilter.AuthenticateAsync(http, scope);
        return caller;
    }

    [GeneratedRegex(@"sb_[a-z2-9]{8}_[A-Za-z0-9_-]{43}")]
    private static partial Regex KeyPattern();
}
