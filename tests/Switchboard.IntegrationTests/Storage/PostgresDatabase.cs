namespace Switchboard.IntegrationTests.Storage;

/// <summary>One test's own database on the <see cref="PostgresServer"/>; disposing drops it (closing any connection left).</summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    private readonly PostgresServer _server;

    internal PostgresDatabase(PostgresServer server, string name, string connectionString)
    {
        _server = server;
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }

    /// <summary>Npgsql connection string to this database (pooled).</summary>
    public string ConnectionString { get; }

    /// <summary>Closes every session on this database and refuses new ones, as if the server were unreachable.</summary>
    public async Task DisconnectAsync()
    {
        await _server.ExecuteAdminAsync($"ALTER DATABASE {Name} WITH ALLOW_CONNECTIONS false");
        await _server.ExecuteAdminAsync($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{Name}' AND pid <> pg_backend_pid()");
    }

    /// <summary>Accepts connections again after <see cref="DisconnectAsync"/>.</summary>
    public Task ReconnectAsync() => _server.ExecuteAdminAsync($"ALTER DATABASE {Name} WITH ALLOW_CONNECTIONS true");

    /// <summary>Drops the database while clients may still be connected.</summary>
    public Task DropAsync() => _server.ExecuteAdminAsync($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");

    public async ValueTask DisposeAsync() => await DropAsync();
}
