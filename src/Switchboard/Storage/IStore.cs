namespace Switchboard.Storage;

/// <summary>
/// The gateway's durable storage: SQLite (embedded default) or PostgreSQL, chosen by <c>Switchboard:Storage:Provider</c>.
/// Both implementations run the same test suite.
/// </summary>
internal interface IStore : ITeamStore, IApiKeyStore, IEndpointStore, ICallStore, ISessionStore, IWebhookStore
{
    /// <summary><c>sqlite</c> or <c>postgres</c>.</summary>
    string Provider { get; }

    /// <summary>Creates or upgrades the schema; safe to run from several nodes at once.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>A cheap round trip to the database.</summary>
    Task<StoreHealth> PingAsync(CancellationToken cancellationToken);

    /// <summary>A gateway-wide setting; null when unset.</summary>
    Task<string?> GetSettingAsync(string name, CancellationToken cancellationToken);

    /// <summary>Sets a gateway-wide setting, replacing any value.</summary>
    Task SetSettingAsync(string name, string value, CancellationToken cancellationToken);

    /// <summary>Sets a gateway-wide setting only if unset; returns the value that is stored afterwards (first writer wins).</summary>
    Task<string> SetSettingIfAbsentAsync(string name, string value, CancellationToken cancellationToken);
}
