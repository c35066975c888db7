using Microsoft.Data.Sqlite;
using Switchboard.Storage;
using Switchboard.Storage.Sqlite;

namespace Switchboard.IntegrationTests.Storage;

/// <summary>The store contract on SQLite: a fresh database file per test.</summary>
public sealed class SqliteStoreContractTests : StoreContractTests
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "switchboard-tests", "sqlite-" + Guid.NewGuid().ToString("N"));

    private protected override Task<string> CreateDatabaseAsync() => Task.FromResult(Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".db"));

    private protected override SqlStore OpenStore(string database) => new SqliteStore(database);

    private protected override Task DropDatabaseAsync(string database)
    {
        // Pooled connections keep the file open; tests run one at a time, so clearing every pool is safe here.
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }

        return Task.CompletedTask;
    }
}
