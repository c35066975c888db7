using System.Data.Common;
using Switchboard.Common;
using Switchboard.Control;

namespace Switchboard.Storage;

internal abstract partial class SqlStore
{
    private const string KeyColumns = "id, team_id, name, prefix, hash, scopes, created_at, revoked_at, last_used_at";

    public async Task CreateKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Command(connection, null,
            $"INSERT INTO api_keys ({KeyColumns}) VALUES (@id, @team, @name, @prefix, @hash, @scopes, @created, @revoked, @used)");
        Add(cmd, "id", key.Id);
        Add(cmd, "team", key.TeamId);
        Add(cmd, "name", key.Name);
        Add(cmd, "prefix", key.Prefix);
        Add(cmd, "hash", key.Hash);
        Add(cmd, "scopes", (long)key.Scopes);
        Add(cmd, "created", key.CreatedAt);
        Add(cmd, "revoked", key.RevokedAt);
        Add(cmd, "used", key.LastUsedAt);
        try
        {
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbException ex) when (Dialect.IsUniqueViolation(ex))
        {
            throw new StoreConflictException("an API key with this prefix already exists", ex);
        }
    }

    public async Task<ApiKeyRecord?> FindKeyByPrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Command(connection, null, $"SELECT {KeyColumns} FROM api_keys WHERE prefix = @prefix");
        Add(cmd, "prefix", prefix);
        return (await ReadAllAsync(cmd, ReadKey, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
    }

    public async Task<ApiKeyRecord?> GetKeyAsync(Guid teamId, Guid keyId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Command(connection, null, $"SELECT {KeyColumns} FROM api_keys WHERE id = @id AND team_id = @team");
        Add(cmd, "id", keyId);
        Add(cmd, "team", teamId);
        return (await ReadAllAsync(cmd, ReadKey, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
    }

    public async Task<IReadOnlyList<ApiKeyRecord>> ListKeysAsync(Guid teamId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Command(connection, null, $"SELECT {KeyColumns} FROM api_keys WHERE team_id = @team ORDER BY created_at, id");
        Add(cmd, "team", teamId);
        return await ReadAllAsync(cmd, ReadKey, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> RevokeKeyAsync(Guid teamId, Guid keyId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (var update = Command(connection, null, "UPDATE api_keys SET revoked_at = @at WHERE id = @id AND team_id = @team AND revoked_at IS NULL"))
        {
            Add(update, "at", at);
            Add(update, "id", keyId);
            Add(update, "team", teamId);
            if (await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0)
            {
                return true;
            }
        }

        await using var exists = Command(connection, null, "SELECT COUNT(*) FROM api_keys WHERE id = @id AND team_id = @team");
        Add(exists, "id", keyId);
        Add(exists, "team", teamId);
        return await ScalarLongAsync(exists, cancellationToken).ConfigureAwait(false) > 0;
    }

    public async Task TouchKeyAsync(Guid keyId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Command(connection, null, "UPDATE api_keys SET last_used_at = @at WHERE id = @id");
        Add(cmd, "at", at);
        Add(cmd, "id", keyId);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static ApiKeyRecord ReadKey(DbDataReader r) => new()
    {
        Id = Guid.Parse(r.GetString(0)),
        TeamId = Guid.Parse(r.GetString(1)),
        Name = r.GetString(2),
        Prefix = r.GetString(3),
        Hash = (byte[])r.GetValue(4),
        Scopes = (ApiScopes)r.GetInt64(5),
        CreatedAt = ReadTime(r, 6),
        RevokedAt = ReadOptionalTime(r, 7),
        LastUsedAt = ReadOptionalTime(r, 8),
    };
}
