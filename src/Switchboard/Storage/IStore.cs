using Switchboard.Common;
using Switchboard.Journal;

namespace Switchboard.Storage;

/// <summary>
/// The gateway's durable storage: SQLite (embedded default) or PostgreSQL, chosen by <c>Switchboard:Storage:Provider</c>.
/// Both implementations run the same test suite. Each feature owns the narrow store interface it uses; this is all of
/// them in one, as the adapters implement it and the host registers it.
/// </summary>
internal interface IStore : IDatabase, ITeamStore, IApiKeyStore, IEndpointStore, ICallStore, ISessionStore, IWebhookStore
{
    /// <summary>A gateway-wide setting; null when unset.</summary>
    Task<string?> GetSettingAsync(string name, CancellationToken cancellationToken);

    /// <summary>Sets a gateway-wide setting, replacing any value.</summary>
    Task SetSettingAsync(string name, string value, CancellationToken cancellationToken);

    /// <summary>Sets a gateway-wide setting only if unset; returns the value that is stored afterwards (first writer wins).</summary>
    Task<string> SetSettingIfAbsentAsync(string name, string value, CancellationToken cancellationToken);
}
