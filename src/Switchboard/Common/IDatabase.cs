namespace Switchboard.Common;

/// <summary>
/// The database behind the features' stores (SQLite or PostgreSQL), as a whole: which one it is, its schema and whether
/// it answers. Implemented by the storage adapter together with the stores.
/// </summary>
internal interface IDatabase
{
    /// <summary><c>sqlite</c> or <c>postgres</c>.</summary>
    string Provider { get; }

    /// <summary>Creates or upgrades the schema; safe to run from several nodes at once.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>A cheap round trip to the database.</summary>
    Task<StoreHealth> PingAsync(CancellationToken cancellationToken);
}
