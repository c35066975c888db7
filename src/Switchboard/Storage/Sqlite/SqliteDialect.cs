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

    // Only SQLITE_CONSTRAINT_UNIQUE (2067) and SQLITE_CONSTRAINT_PRIMARYKEY (1555): the plain code 19 also covers
    // foreign keys, NOT NULL and CHECK, which are not conflicts with an existing row (PostgreSQL reports those apart too).
    public override bool IsUniqueViolation(DbException exception) => exception is SqliteException { SqliteExtendedErrorCode: 2067 or 1555 };
}
