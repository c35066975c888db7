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

    /// <summary>Disk full (53100) and read-only transactions (25006) by their SQLSTATE; anything else is the server not answering.</summary>
    protected override string Classify(Exception exception) => exception switch
    {
        PostgresException { SqlState: "53100" } => "disk full",
        PostgresException { SqlState: "25006" } => "read-only",
        _ => "unreachable",
    };

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
