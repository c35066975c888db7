using Switchboard.Control;
using Switchboard.Storage.Sqlite;

namespace Switchboard.Tests;

/// <summary>A real, migrated SQLite store in a temporary directory with two teams, for the admin rules' tests (no database mocks).</summary>
internal sealed class AdminStore : IDisposable
{
    private readonly string _directory;

    private AdminStore(string directory, SqliteStore store, Team team, Team other)
    {
        _directory = directory;
        Store = store;
        Team = team;
        Other = other;
    }

    public SqliteStore Store { get; }

    /// <summary>The team the tests act for.</summary>
    public Team Team { get; }

    /// <summary>Another team, whose resources must look missing.</summary>
    public Team Other { get; }

    public ManualTimeProvider Time { get; } = new();

    public static async Task<AdminStore> OpenAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "switchboard-unit", Guid.NewGuid().ToString("N"));
        var store = new SqliteStore(Path.Combine(directory, "admin.db"));
        await store.MigrateAsync(CancellationToken.None);
        var team = new Team(Guid.NewGuid(), "acme", DateTimeOffset.UnixEpoch);
        var other = new Team(Guid.NewGuid(), "globex", DateTimeOffset.UnixEpoch);
        await store.CreateTeamAsync(team, CancellationToken.None);
        await store.CreateTeamAsync(other, CancellationToken.None);
        return new AdminStore(directory, store, team, other);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
