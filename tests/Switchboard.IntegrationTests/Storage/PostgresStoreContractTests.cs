using Switchboard.Storage;
using Switchboard.Storage.Postgres;

namespace Switchboard.IntegrationTests.Storage;

/// <summary>The store contract on a real PostgreSQL: a fresh database per test.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreContractTests : StoreContractTests
{
    private readonly PostgresServer _server;
    private readonly Dictionary<string, PostgresDatabase> _databases = new(StringComparer.Ordinal);

    public PostgresStoreContractTests(PostgresServer server) => _server = server;

    private protected override async Task<string> CreateDatabaseAsync()
    {
        var database = await _server.CreateDatabaseAsync();
        _databases[database.ConnectionString] = database;
        return database.ConnectionString;
    }

    private protected override SqlStore OpenStore(string database) => new PostgresStore(database);

    private protected override async Task DropDatabaseAsync(string database) => await _databases[database].DisposeAsync();
}
