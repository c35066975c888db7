using System.Data.Common;
using Npgsql;

namespace Switchboard.Storage.Postgres;

/// <summary>The multi-node store: PostgreSQL through an Npgsql data source (pooled connections).</summary>
internal sealed class PostgresStore : SqlStore, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _description;

    public PostgresStore(string connectionString)
        : base(PostgresDialect.Instance)
    {
        _dataSource = NpgsqlDataSource.Create(connectionString);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        _description = $"postgres {builder.Host}:{builder.Port}/{builder.Database}";
    }

    protected override DbConnection CreateConnection() => _dataSource.CreateConnection();

    protected override string Describe() => _description;

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
