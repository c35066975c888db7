using System.Data;
using System.Data.Common;
using Switchboard.Common;
using Switchboard.Transport;

namespace Switchboard.Storage;

/// <summary>
/// The store over ADO.NET, shared by SQLite and PostgreSQL: plain parameterised SQL, one short-lived pooled
/// connection per operation, a transaction wherever more than one row changes together.
/// </summary>
internal abstract partial class SqlStore : IStore
{
    protected SqlStore(SqlDialect dialect) => Dialect = dialect;

    protected SqlDialect Dialect { get; }

    public string Provider => Dialect.Provider;

    /// <summary>A new, not yet opened connection.</summary>
    protected abstract DbConnection CreateConnection();

    /// <summary>Runs once on every newly opened connection (e.g. SQLite pragmas).</summary>
    protected virtual Task PrepareConnectionAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>What <see cref="PingAsync"/> reports when the database answers (no secrets).</summary>
    protected abstract string Describe();

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (Dialect.MigrationLockSql is { } lockSql)
        {
            await ExecuteAsync(connection, tx, lockSql, cancellationToken).ConfigureAwait(false);
        }

        await ExecuteAsync(connection, tx, "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)", cancellationToken).ConfigureAwait(false);
        var applied = new HashSet<long>();
        await using (var cmd = Command(connection, tx, "SELECT version FROM schema_migrations"))
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                applied.Add(reader.GetInt64(0));
            }
        }

        foreach (var (version, sql) in Migrations.For(Dialect))
        {
            if (applied.Contains(version))
            {
                continue;
            }

            await ExecuteAsync(connection, tx, sql, cancellationToken).ConfigureAwait(false);
            await using var record = Command(connection, tx, "INSERT INTO schema_migrations (version, applied_at) VALUES (@v, @at)");
            Add(record, "v", (long)version);
            Add(record, "at", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Whether the database is usable now: the provider's own checks (<see cref="CheckAsync"/>: for SQLite, the file is still
    /// there, the same file and writable), then a read of the schema and a write of a probe row, so a database that reads
    /// but cannot write (read-only, disk full) is reported too, naming the failing check.
    /// </summary>
    public async Task<StoreHealth> PingAsync(CancellationToken cancellationToken)
    {
        if (await CheckAsync(cancellationToken).ConfigureAwait(false) is { } fault)
        {
            return new StoreHealth(false, Provider, $"{Describe()}: {fault.Detail}", fault.Check);
        }

        try
        {
            await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var cmd = Command(connection, null, "SELECT COUNT(*) FROM schema_migrations");
            var versions = Convert.ToInt64(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
            await using var probe = Command(connection, null, "INSERT INTO settings (name, value) VALUES (@n, @v) ON CONFLICT (name) DO UPDATE SET value = excluded.value");
            Add(probe, "n", ProbeSetting);
            Add(probe, "v", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
            await probe.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return new StoreHealth(true, Provider, $"{Describe()} (schema v{versions})");
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException or IOException or TimeoutException or System.Net.Sockets.SocketException)
        {
            return new StoreHealth(false, Provider, $"{Describe()}: {ex.Message}", Classify(ex));
        }
    }

    /// <summary>The settings row the health probe writes.</summary>
    protected const string ProbeSetting = "health.probe";

    /// <summary>A provider's checks before the database is queried; null when they pass.</summary>
    protected virtual Task<StoreFault?> CheckAsync(CancellationToken cancellationToken) => Task.FromResult<StoreFault?>(null);

    /// <summary>The failing check a database error stands for (<c>read-only</c>, <c>disk full</c>, <c>unreachable</c>…).</summary>
    protected virtual string Classify(Exception exception) => "unreachable";

    public async Task<string?> GetSettingAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Command(connection, null, "SELECT value FROM settings WHERE name = @n");
        Add(cmd, "n", name);
        return await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }

    public async Task SetSettingAsync(string name, string value, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Command(connection, null, "INSERT INTO settings (name, value) VALUES (@n, @v) ON CONFLICT (name) DO UPDATE SET value = excluded.value");
        Add(cmd, "n", name);
        Add(cmd, "v", value);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<string> SetSettingIfAbsentAsync(string name, string value, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (var insert = Command(connection, null, "INSERT INTO settings (name, value) VALUES (@n, @v) ON CONFLICT (name) DO NOTHING"))
        {
            Add(insert, "n", name);
            Add(insert, "v", value);
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using var read = Command(connection, null, "SELECT value FROM settings WHERE name = @n");
        Add(read, "n", name);
        return (string)(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    protected async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        // SQLite's "async" calls run synchronously: never run them on a socket thread that carries audio.
        await IoThreads.LeaveAsync();
        var connection = CreateConnection();
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await PrepareConnectionAsync(connection, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    protected static DbCommand Command(DbConnection connection, DbTransaction? tx, string sql)
    {
        var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        return cmd;
    }

    protected static async Task ExecuteAsync(DbConnection connection, DbTransaction? tx, string sql, CancellationToken cancellationToken)
    {
        await using var cmd = Command(connection, tx, sql);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Text as both databases can store it: NUL (which PostgreSQL text refuses) and unpaired surrogates (which
    /// Npgsql refuses to encode, with an exception that is not even a database error) become U+FFFD. Caller-controlled
    /// strings (carrier ids, numbers) reach columns, so one odd message must not make a write fail forever.
    /// Event bodies are JSON, where NUL is escaped (and kept) and the serializer already replaces unpaired surrogates.
    /// </summary>
    internal static string StorableText(string value)
    {
        if (IsStorable(value))
        {
            return value;
        }

        var builder = new System.Text.StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                builder.Append(c).Append(value[++i]);
            }
            else
            {
                builder.Append(c == '\0' || char.IsSurrogate(c) ? '\uFFFD' : c);
            }
        }

        return builder.ToString();
    }

    private static bool IsStorable(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (c == '\0' || char.IsSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Adds a parameter; null becomes DBNULL, Guids travel as text, times as Unix milliseconds, text as <see cref="StorableText"/>.</summary>
    protected static void Add(DbCommand cmd, string name, object? value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = "@" + name;
        switch (value)
        {
            case null:
                p.Value = DBNull.Value;
                break;
            case Guid g:
                p.Value = g.ToString("D");
                p.DbType = DbType.String;
                break;
            case DateTimeOffset t:
                p.Value = t.ToUnixTimeMilliseconds();
                p.DbType = DbType.Int64;
                break;
            case bool b:
                p.Value = b ? 1L : 0L;
                p.DbType = DbType.Int64;
                break;
            case int i:
                p.Value = (long)i;
                p.DbType = DbType.Int64;
                break;
            case long l:
                p.Value = l;
                p.DbType = DbType.Int64;
                break;
            case string s:
                p.Value = StorableText(s);
                p.DbType = DbType.String;
                break;
            case byte[] bytes:
                p.Value = bytes;
                p.DbType = DbType.Binary;
                break;
            default:
                p.Value = value;
                break;
        }

        cmd.Parameters.Add(p);
    }

    protected static DateTimeOffset ReadTime(DbDataReader reader, int ordinal) => DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    protected static DateTimeOffset? ReadOptionalTime(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    protected static string? ReadOptionalString(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    protected static Guid? ReadOptionalGuid(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : Guid.Parse(reader.GetString(ordinal));

    protected static async Task<List<T>> ReadAllAsync<T>(DbCommand cmd, Func<DbDataReader, T> map, CancellationToken cancellationToken)
    {
        var list = new List<T>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(map(reader));
        }

        return list;
    }

    protected static async Task<long> ScalarLongAsync(DbCommand cmd, CancellationToken cancellationToken) =>
        Convert.ToInt64(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
}
