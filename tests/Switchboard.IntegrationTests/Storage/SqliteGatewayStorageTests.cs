using Microsoft.Data.Sqlite;

namespace Switchboard.IntegrationTests.Storage;

/// <summary>The gateway on its embedded default: a SQLite file, here in a directory of the test's own.</summary>
public sealed class SqliteGatewayStorageTests : GatewayStorageTests
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "switchboard-tests", "gw-sqlite-" + Guid.NewGuid().ToString("N"));

    private string DatabasePath => Path.Combine(_dir, "switchboard.db");

    private string AwayDir => _dir + ".away";

    private protected override string ProviderName => "sqlite";

    public override Task InitializeAsync() => Task.CompletedTask;

    public override Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        foreach (var dir in new[] { _dir, AwayDir })
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        return Task.CompletedTask;
    }

    private protected override Dictionary<string, string?> StorageSettings() => new()
    {
        ["Switchboard:Storage:Provider"] = "sqlite",
        ["Switchboard:Storage:SqlitePath"] = DatabasePath,
    };

    private protected override async Task<RawCall?> QueryCallAsync(string callId)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT channel, carrier_call_id, ended_at, end_reason, event_count, (SELECT COUNT(*) FROM call_events WHERE call_id = $id) FROM calls WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", callId);
        await using var reader = await cmd.ExecuteReaderAsync();
        return await reader.ReadAsync()
            ? new RawCall(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), !reader.IsDBNull(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetInt64(4), reader.GetInt64(5))
            : null;
    }

    // Root ignores file permissions, so the database becomes unreachable by moving its directory away: with the
    // pooled connections closed, every new connection fails to open the file (SQLite does not create directories).
    private protected override Task MakeUnreachableAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Move(_dir, AwayDir);
        return Task.CompletedTask;
    }

    private protected override Task MakeReachableAsync()
    {
        Directory.Move(AwayDir, _dir);
        return Task.CompletedTask;
    }
}
