using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Switchboard.Storage.Sqlite;

internal sealed class SqliteDialect : SqlDialect
{
    public static readonly SqliteDialect Instance = new();

    public override string Provider => "sqlite";

    public override string BytesType => "BLOB";

    // BEGIN IMMEDIATE (Microsoft.Data.Sqlite's default transaction) already takes the write lock.
    public override string? MigrationLockSql => null;

    // SQLITE_CONSTRAINT (19): UNIQUE and PRIMARY KEY violations.
    public override bool IsUniqueViolation(DbException exception) => exception is SqliteException { SqliteErrorCode: 19 };
}
