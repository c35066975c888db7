using Switchboard.Common;

namespace Switchboard.Control;

/// <summary>
/// The rules for a team's API keys, in one place for the REST API (<c>/api/v1/keys</c>) and the CLI's local mode
/// (<c>switchboard keys</c>): (1) a name of 1-100 characters and at least one known scope; (2) a fresh random key
/// whose plaintext is returned once and never stored (only its prefix and SHA-256, <see cref="ApiKeyFormat"/>), a
/// prefix collision retried with a fresh key; (3) revoking keeps the first time and is not an error twice;
/// (4) another team's key looks exactly like a missing one. Refusals are values; only a storage failure throws.
/// </summary>
internal sealed class ApiKeyAdmin
{
    public const int MaxNameLength = 100;

    /// <summary>Fresh keys tried when the store reports a prefix collision (40 random bits: about 1 in 10^12).</summary>
    private const int CreateAttempts = 3;

    private readonly IApiKeyStore _store;
    private readonly TimeProvider _time;

    public ApiKeyAdmin(IApiKeyStore store, TimeProvider time)
    {
        _store = store;
        _time = time;
    }

    /// <summary>The team's keys, revoked ones included, oldest first.</summary>
    public Task<IReadOnlyList<ApiKeyRecord>> ListAsync(Guid teamId, CancellationToken cancellationToken) =>
        _store.ListKeysAsync(teamId, cancellationToken);

    /// <summary>Creates a key named <paramref name="name"/> (trimmed) with <paramref name="scopes"/> (names, any case, comma-separated items allowed).</summary>
    public async Task<AdminResult<NewApiKey>> CreateAsync(Guid teamId, string? name, IReadOnlyList<string>? scopes, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        name = name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength)
        {
            errors["name"] = [$"name is required (1-{MaxNameLength} characters)"];
        }

        var parsed = ApiScopes.None;
        if (scopes is not { Count: > 0 } || scopes.Any(string.IsNullOrWhiteSpace))
        {
            errors["scopes"] = ["scopes must list at least one of: " + string.Join(", ", ApiScopeNames.All)];
        }
        else if (!ApiScopeNames.TryParse(scopes, out parsed, out var unknown))
        {
            errors["scopes"] = [$"unknown scope '{unknown}'; known: {string.Join(", ", ApiScopeNames.All)}"];
        }
        else if (parsed == ApiScopes.None)
        {
            errors["scopes"] = ["scopes must list at least one of: " + string.Join(", ", ApiScopeNames.All)];
        }

        if (errors.Count > 0)
        {
            return AdminError.Invalid(errors);
        }

        for (var attempt = 1; ; attempt++)
        {
            var (plaintext, prefix, hash) = ApiKeyFormat.Generate();
            var key = new ApiKeyRecord
            {
                Id = Guid.NewGuid(),
                TeamId = teamId,
                Name = name!,
                Prefix = prefix,
                Hash = hash,
                Scopes = parsed,
                CreatedAt = StoreClock.Now(_time),
            };
            try
            {
                await _store.CreateKeyAsync(key, cancellationToken).ConfigureAwait(false);
                return new NewApiKey(key, plaintext);
            }
            catch (StoreConflictException) when (attempt < CreateAttempts)
            {
            }
        }
    }

    /// <summary>The team's key with this id, or with this public prefix (<c>sb_xxxxxxxx</c>, or the whole key pasted in); null when there is none.</summary>
    public async Task<ApiKeyRecord?> FindAsync(Guid teamId, string idOrPrefix, CancellationToken cancellationToken)
    {
        ApiKeyRecord? key = null;
        if (Guid.TryParse(idOrPrefix, out var id))
        {
            key = await _store.GetKeyAsync(teamId, id, cancellationToken).ConfigureAwait(false);
        }
        else if (ApiKeyFormat.PrefixOf(idOrPrefix) is { } prefix)
        {
            key = await _store.FindKeyByPrefixAsync(prefix, cancellationToken).ConfigureAwait(false);
        }

        // Another team's key looks exactly like a missing one.
        return key is not null && key.TeamId == teamId ? key : null;
    }

    /// <summary>Revokes the team's key: it stops working at once. Revoking an already revoked key keeps the first time.</summary>
    public async Task<AdminResult<ApiKeyRevocation>> RevokeAsync(Guid teamId, Guid keyId, CancellationToken cancellationToken)
    {
        var key = await _store.GetKeyAsync(teamId, keyId, cancellationToken).ConfigureAwait(false);
        if (key is null || !await _store.RevokeKeyAsync(teamId, keyId, StoreClock.Now(_time), cancellationToken).ConfigureAwait(false))
        {
            return NotFound();
        }

        var after = await _store.GetKeyAsync(teamId, keyId, cancellationToken).ConfigureAwait(false) ?? key;
        return new ApiKeyRevocation(after, key.IsRevoked);
    }

    /// <summary>The refusal for a key that is not the team's.</summary>
    public static AdminError NotFound() => AdminError.NotFound("no such API key");
}
