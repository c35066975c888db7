using System.Data.Common;
using Npgsql;

namespace Switchboard.Storage.Postgres;

internal sealed class PostgresDialect : SqlDialect
{
    public static readonly PostgresDialect Instance = new();

    public override string Provider => "postgres";

    public override string BytesType => "BYTEA";

    // Serialises migrations across gateway nodes starting together; released at commit.
    public override string? MigrationLockSql => "SELECT pg_advisory_xact_lock(727370001)";

    public override bool IsUniqueViolation(DbException exception) => exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };
}
