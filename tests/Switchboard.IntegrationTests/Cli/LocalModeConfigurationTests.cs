using System.Text.Json;

namespace Switchboard.IntegrationTests.Cli;

/// <summary>Local mode finds the database as <c>switchboard serve</c> does, and reports configuration and storage problems with distinct exit codes.</summary>
public sealed class LocalModeConfigurationTests : IDisposable
{
    private readonly LocalCliFixture _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task InvalidStorageSettings_ExitTwoWithTheGatewaysValidatorMessages()
    {
        var config = _cli.WriteConfig("bad.json", """{ "Switchboard": { "Storage": { "Provider": "mysql" }, "Sessions": { "TokenTtlSeconds": 5 } } }""");

        var run = await CliRun.InvokeAsync(null, "keys", "list", "--config", config);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("fix the configuration", run.Error, StringComparison.Ordinal);
        Assert.Contains("Switchboard:Storage:Provider must be sqlite or postgres (got 'mysql'; env SWITCHBOARD_STORAGE).", run.Error, StringComparison.Ordinal);
        Assert.Contains("Switchboard:Sessions:TokenTtlSeconds must be 10-3600 (got 5).", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostgresWithoutConnectionString_ExitTwo()
    {
        var config = _cli.WriteConfig("pg.json", """{ "Switchboard": { "Storage": { "Provider": "postgres" } } }""");

        var run = await CliRun.InvokeAsync(null, "endpoints", "list", "--config", config);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Switchboard:Storage:PostgresConnectionString is required", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingConfigFile_ExitTwo()
    {
        var run = await CliRun.InvokeAsync(null, "keys", "list", "--config", Path.Combine(_cli.Directory, "nope.json"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("configuration file not found", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DatabaseThatCannotBeOpened_ExitThree()
    {
        // A directory where the database file should be: SQLite cannot open it.
        var directory = Path.Combine(_cli.Directory, "not-a-file.db");
        Directory.CreateDirectory(directory);
        var config = _cli.WriteConfig("dir.json", JsonSerializer.Serialize(new { Switchboard = new { Storage = new { SqlitePath = directory } } }));

        var run = await CliRun.InvokeAsync(null, "keys", "list", "--config", config);

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("error: storage unavailable", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("directory")]
    [InlineData("under-a-file")]
    public async Task Serve_DatabaseThatCannotBeOpened_OneLineAndExitThree_NoStackTrace(string kind)
    {
        // A directory where the database file should be, or a path under a regular file: neither can be opened.
        string path;
        if (kind == "directory")
        {
            path = Path.Combine(_cli.Directory, "serve-dir.db");
            Directory.CreateDirectory(path);
        }
        else
        {
            var file = Path.Combine(_cli.Directory, "plain-file");
            await File.WriteAllTextAsync(file, "x");
            path = Path.Combine(file, "data", "switchboard.db");
        }

        var config = _cli.WriteConfig("serve-" + kind + ".json", JsonSerializer.Serialize(new { Switchboard = new { Storage = new { SqlitePath = path } } }));

        // A real process: the gateway writes to the process's own stderr, as an operator sees it.
        var start = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = _cli.Directory,
        };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "Switchboard.Cli.dll"), "serve", "--config", config, "--urls", "http://127.0.0.1:0" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(3, process.ExitCode);
        Assert.Contains("Switchboard cannot start: the SQLite database at '" + path + "'", await error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", await error + await output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SqlitePathAlias_FromTheEnvironment_IsUsedAsByServe()
    {
        // Test classes run one at a time (AssemblyInfo), so changing the process environment here is safe.
        var path = Path.Combine(_cli.Directory, "from-env", "gateway.db");
        Environment.SetEnvironmentVariable("SWITCHBOARD_SQLITE_PATH", path);
        try
        {
            var run = await CliRun.InvokeAsync(null, "keys", "create", "--name", "env", "--scopes", "ADMIN", "--json");

            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.True(File.Exists(path));
        }
        finally
        {
            Environment.SetEnvironmentVariable("SWITCHBOARD_SQLITE_PATH", null);
        }
    }

    [Theory]
    [InlineData("keys", "list", "--api-key", "sb_abcdefgh_x")]
    [InlineData("keys")]
    [InlineData("calls", "list", "--page", "0")]
    public async Task UsageMistakes_ExitTwo(params string[] args)
    {
        var run = await _cli.RunAsync(args);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: ", run.Error.Split('\n').First(l => l.StartsWith("error", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Teams_CreateAndList_AndKeysForANewTeam()
    {
        var created = await _cli.RunAsync("teams", "create", "acme");
        var duplicate = await _cli.RunAsync("teams", "create", "acme");
        var list = await _cli.RunAsync("teams", "list");

        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Equal(1, duplicate.ExitCode);
        Assert.Contains("already exists", duplicate.Error, StringComparison.Ordinal);
        var rows = list.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(rows, r => r.Contains(" default ", StringComparison.Ordinal) && r.Contains(" yes ", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Contains(" acme ", StringComparison.Ordinal) && r.Contains(" no ", StringComparison.Ordinal));
    }
}
