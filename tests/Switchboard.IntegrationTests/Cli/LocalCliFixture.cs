using Microsoft.Data.Sqlite;
using Switchboard.Storage;
using Switchboard.Storage.Sqlite;

namespace Switchboard.IntegrationTests.Cli;

/// <summary>
/// A temporary directory with a gateway configuration file pointing at its own SQLite database, so the admin
/// commands run in local mode exactly as an operator would run them (<c>--config</c>), and a direct store on the
/// same file to check what they wrote.
/// </summary>
internal sealed class LocalCliFixture : IDisposable
{
    public LocalCliFixture()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("switchboard-cli-").FullName;
        DatabasePath = Path.Combine(Directory, "data", "switchboard.db");
        ConfigPath = WriteConfig("config.json", $$"""{ "Switchboard": { "Storage": { "SqlitePath": "{{DatabasePath}}" } } }""");
        Store = new SqliteStore(DatabasePath);
    }

    public string Directory { get; }

    public string DatabasePath { get; }

    public string ConfigPath { get; }

    /// <summary>The same database, opened directly.</summary>
    public IStore Store { get; }

    /// <summary>Runs <c>switchboard</c> with <c>--config</c> appended, and no environment.</summary>
    public Task<CliRun> RunAsync(params string[] args) => CliRun.InvokeAsync(null, [.. args, "--config", ConfigPath]);

    /// <summary>Writes a file in the fixture's directory and returns its path.</summary>
    public string WriteConfig(string name, string json)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, json);
        return path;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
