using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Switchboard.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file (WAL mode, so readers never wait for the journal writer), pooled
/// connections, a 30 s busy timeout for concurrent writers.
/// </summary>
internal sealed class SqliteStore : SqlStore
{
    private const string IdentitySetting = "storage.file_id";

    private readonly string _connectionString;
    private readonly string _path;
    private string? _identity;

    public SqliteStore(string path)
        : base(SqliteDialect.Instance)
    {
        _path = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(_path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = _path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    /// <summary>The database file.</summary>
    public string FilePath => _path;

    protected override DbConnection CreateConnection() => new SqliteConnection(_connectionString);

    protected override async Task PrepareConnectionAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        // WAL persists in the file; NORMAL sync in WAL mode survives a process crash (only an OS crash can drop the last commit).
        // cache_size: every pooled connection keeps its own page cache (2 MiB by default); the journal appends
        // and reads recent rows, which the OS page cache serves just as well, so 512 KiB each is plenty.
        await ExecuteAsync(connection, null, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 30000; PRAGMA cache_size = -512;", cancellationToken).ConfigureAwait(false);
    }

    protected override string Describe() => "sqlite " + _path;

    /// <summary>
    /// The file under the running gateway: still at its path (<c>missing</c>), the same database that was opened first
    /// (<c>replaced</c>: an identity row written then, read back through a fresh connection to the path, since pooled
    /// connections keep reading a deleted or replaced file), and writable (<c>read-only</c>, by its mode bits: a write
    /// as root would succeed). On a fault the pools are cleared, so connections reopen the path once it is fixed.
    /// </summary>
    protected override async Task<StoreFault?> CheckAsync(CancellationToken cancellationToken)
    {
        var fault = await FindFaultAsync(cancellationToken).ConfigureAwait(false);
        if (fault is not null)
        {
            SqliteConnection.ClearAllPools();
        }

        return fault;
    }

    protected override string Classify(Exception exception) => exception switch
    {
        SqliteException { SqliteErrorCode: 8 } => "read-only",
        SqliteException { SqliteErrorCode: 13 } => "disk full",
        SqliteException { SqliteErrorCode: 14 } => "missing",
        SqliteException { SqliteErrorCode: 26 } => "replaced",
        _ => "unreachable",
    };

    private async Task<StoreFault?> FindFaultAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(_path))
        {
            return new StoreFault("missing", "the database file is gone");
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(_path) & (UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) == 0)
        {
            return new StoreFault("read-only", "the database file is read-only");
        }

        if (!await HasSqliteHeaderAsync(cancellationToken).ConfigureAwait(false))
        {
            // Read straight from the path: a connection may be served from the write-ahead log and never look at the file.
            return new StoreFault("replaced", "the database file was replaced by a file that is not a SQLite database");
        }

        string? identity;
        try
        {
            await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var cmd = Command(connection, null, "SELECT value FROM settings WHERE name = @n");
            Add(cmd, "n", IdentitySetting);
            identity = await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode is 1 or 11 or 26)
        {
            // No settings table, malformed, or not a database at all: another file.
            return new StoreFault("replaced", "the database file was replaced by another file");
        }

        if (_identity is null)
        {
            // The first check (at start-up): this file is the one the gateway runs on.
            _identity = identity ?? await SetSettingIfAbsentAsync(IdentitySetting, Guid.NewGuid().ToString("N"), cancellationToken).ConfigureAwait(false);
            return null;
        }

        return identity == _identity ? null : new StoreFault("replaced", "the database file was replaced by another database");
    }

    private async Task<bool> HasSqliteHeaderAsync(CancellationToken cancellationToken)
    {
        var header = new byte[16];
        try
        {
            await using var file = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return await file.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false) == header.Length
                && header.AsSpan().SequenceEqual("SQLite format 3\0"u8);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }
}
