using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Switchboard.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file (WAL mode, so readers never wait for the journal writer), pooled
/// connections, a 30 s busy timeout for concurrent writers.
/// </summary>
internal sealed class SqliteStore : SqlStore
{
    private readonly string _connectionString;
    private readonly string _path;

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
}
