namespace Switchboard.Control;

/// <summary>Gateway-wide settings (name → value), shared by every node on the database: the default team, generated keys.</summary>
internal interface ISettingStore
{
    /// <summary>A gateway-wide setting; null when unset.</summary>
    Task<string?> GetSettingAsync(string name, CancellationToken cancellationToken);

    /// <summary>Sets a gateway-wide setting, replacing any value.</summary>
    Task SetSettingAsync(string name, string value, CancellationToken cancellationToken);

    /// <summary>Sets a gateway-wide setting only if unset; returns the value that is stored afterwards (first writer wins).</summary>
    Task<string> SetSettingIfAbsentAsync(string name, string value, CancellationToken cancellationToken);
}
