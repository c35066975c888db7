using System.Data.Common;

namespace Switchboard.Storage;

/// <summary>The few places SQLite and PostgreSQL differ for this schema.</summary>
internal abstract class SqlDialect
{
    public abstract string Provider { get; }

    /// <summary>Column type for raw bytes.</summary>
    public abstract string BytesType { get; }

    /// <summary>SQL run first inside the migration transaction so two nodes never migrate at once.</summary>
    public abstract string? MigrationLockSql { get; }

    public abstract bool IsUniqueViolation(DbException exception);
}
