namespace Switchboard.Control;

/// <summary>API keys, stored by prefix and hash only.</summary>
internal interface IApiKeyStore
{
    Task CreateKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken);

    /// <summary>The key with this public prefix, revoked or not; null when none.</summary>
    Task<ApiKeyRecord?> FindKeyByPrefixAsync(string prefix, CancellationToken cancellationToken);

    Task<ApiKeyRecord?> GetKeyAsync(Guid teamId, Guid keyId, CancellationToken cancellationToken);

    Task<IReadOnlyList<ApiKeyRecord>> ListKeysAsync(Guid teamId, CancellationToken cancellationToken);

    /// <summary>Revokes a team's key; false when the team has no such key. Revoking twice keeps the first time.</summary>
    Task<bool> RevokeKeyAsync(Guid teamId, Guid keyId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Records that a key was used (best effort, for listings).</summary>
    Task TouchKeyAsync(Guid keyId, DateTimeOffset at, CancellationToken cancellationToken);
}
