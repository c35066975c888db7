using System.Net;
using System.Text.Json.Nodes;
using Npgsql;
using Switchboard.IntegrationTests.Gateway;

namespace Switchboard.IntegrationTests.Storage;

/// <summary>The gateway on PostgreSQL (<c>Switchboard:Storage:Provider=postgres</c>), a fresh database per test.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresGatewayStorageTests : GatewayStorageTests
{
    private readonly PostgresServer _server;
    private PostgresDatabase? _database;

    public PostgresGatewayStorageTests(PostgresServer server) => _server = server;

    private PostgresDatabase Database => _database ?? throw new InvalidOperationException("not initialised");

    private protected override string ProviderName => "postgres";

    public override async Task InitializeAsync() => _database = await _server.CreateDatabaseAsync();

    public override async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    private protected override Dictionary<string, string?> StorageSettings() => new()
    {
        ["Switchboard:Storage:Provider"] = "postgres",
        ["Switchboard:Storage:PostgresConnectionString"] = Database.ConnectionString,
    };

    private protected override async Task<RawCall?> QueryCallAsync(string callId)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Database.ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT channel, carrier_call_id, ended_at, end_reason, event_count, (SELECT COUNT(*) FROM call_events WHERE call_id = @id) FROM calls WHERE id = @id", connection);
        cmd.Parameters.AddWithValue("id", callId);
        await using var reader = await cmd.ExecuteReaderAsync();
        return await reader.ReadAsync()
            ? new RawCall(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), !reader.IsDBNull(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetInt64(4), reader.GetInt64(5))
            : null;
    }

    [Fact]
    public async Task Healthz_DatabaseDroppedAtRuntime_Is503WithTheDatabaseDown()
    {
        await using var gateway = await GatewayFixture.StartAsync(StorageSettings());
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(gateway.BaseUrl + "/healthz")).StatusCode);

        await Database.DropAsync();

        using var response = await http.GetAsync(gateway.BaseUrl + "/healthz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var database = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["dependencies"]!["database"]!;
        Assert.Equal(("postgres", "down"), ((string?)database["provider"], (string?)database["state"]));
        Assert.Contains(Database.Name, (string?)database["detail"], StringComparison.Ordinal);
    }

    private protected override Task MakeUnreachableAsync() => Database.DisconnectAsync();

    private protected override Task MakeReachableAsync() => Database.ReconnectAsync();
}
