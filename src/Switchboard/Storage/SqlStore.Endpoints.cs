using System.Data.Common;
using Switchboard.Agents;
using Switchboard.Common;

namespace Switchboard.Storage;

internal abstract partial class SqlStore
{
    private const string EndpointColumns = "id, team_id, name, is_default, spec, created_at, updated_at";

    public async Task CreateEndpointAsync(AgentEndpoint endpoint, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (endpoint.IsDefault)
            {
                await ClearDefaultAsync(connection, tx, endpoint.TeamId, cancellationToken).ConfigureAwait(false);
            }

            await using (var cmd = Command(connection, tx,
                $"INSERT INTO endpoints ({EndpointColumns}) VALUES (@id, @team, @name, @default, @spec, @created, @updated)"))
            {
                AddEndpoint(cmd, endpoint);
                await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await WriteNumbersAsync(connection, tx, endpoint, cancellationToken).ConfigureAwait(false);
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbException ex) when (Dialect.IsUniqueViolation(ex))
        {
            await tx.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
            throw await ConflictAsync(endpoint, ex, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<bool> CreateDefaultEndpointIfNoneAsync(AgentEndpoint endpoint, CancellationToken cancellationToken)
    {
        if (!endpoint.IsDefault)
        {
            throw new ArgumentException("the endpoint must be marked as default", nameof(endpoint));
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // No clearing of an existing default: the partial unique index on (team_id) WHERE is_default = 1 makes
            // a concurrent second default fail, and the check below turns that into "the team already has one".
            await using (var cmd = Command(connection, tx,
                $"INSERT INTO endpoints ({EndpointColumns}) SELECT @id, @team, @name, @default, @spec, @created, @updated " +
                "WHERE NOT EXISTS (SELECT 1 FROM endpoints WHERE team_id = @team AND is_default = 1)"))
            {
                AddEndpoint(cmd, endpoint);
                if (await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
                {
                    return false;
                }
            }

            await WriteNumbersAsync(connection, tx, endpoint, cancellationToken).ConfigureAwait(false);
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DbException ex) when (Dialect.IsUniqueViolation(ex))
        {
            await tx.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
            if (await GetDefaultEndpointAsync(endpoint.TeamId, cancellationToken).ConfigureAwait(false) is not null)
            {
                return false;
            }

            throw await ConflictAsync(endpoint, ex, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<AgentEndpoint?> GetEndpointAsync(Guid teamId, Guid id, CancellationToken cancellationToken) =>
        await QueryEndpointAsync("id = @id AND team_id = @team", cmd =>
        {
            Add(cmd, "id", id);
            Add(cmd, "team", teamId);
        }, cancellationToken).ConfigureAwait(false);

    public async Task<AgentEndpoint?> FindEndpointAsync(Guid id, CancellationToken cancellationToken) =>
        await QueryEndpointAsync("id = @id", cmd => Add(cmd, "id", id), cancellationToken).ConfigureAwait(false);

    public async Task<AgentEndpoint?> FindEndpointByNameAsync(Guid teamId, string name, CancellationToken cancellationToken) =>
        await QueryEndpointAsync("team_id = @team AND name = @name", cmd =>
        {
            Add(cmd, "team", teamId);
            Add(cmd, "name", name);
        }, cancellationToken).ConfigureAwait(false);

    public async Task<AgentEndpoint?> FindEndpointByPhoneNumberAsync(string number, CancellationToken cancellationToken) =>
        await QueryEndpointAsync("id = (SELECT endpoint_id FROM endpoint_numbers WHERE number = @number)", cmd => Add(cmd, "number", number), cancellationToken).ConfigureAwait(false);

    public async Task<AgentEndpoint?> FindEndpointByExternalIdAsync(Guid teamId, string externalId, CancellationToken cancellationToken) =>
        await QueryEndpointAsync("id = (SELECT endpoint_id FROM endpoint_external_ids WHERE team_id = @team AND external_id = @external)", cmd =>
        {
            Add(cmd, "team", teamId);
            Add(cmd, "external", externalId);
        }, cancellationToken).ConfigureAwait(false);

    public async Task<AgentEndpoint?> GetDefaultEndpointAsync(Guid teamId, CancellationToken cancellationToken) =>
        await QueryEndpointAsync("team_id = @team AND is_default = 1", cmd => Add(cmd, "team", teamId), cancellationToken).ConfigureAwait(false);

    public async Task<Page<AgentEndpoint>> ListEndpointsAsync(Guid teamId, int offset, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        long total;
        await using (var count = Command(connection, null, "SELECT COUNT(*) FROM endpoints WHERE team_id = @team"))
        {
            Add(count, "team", teamId);
            total = await ScalarLongAsync(count, cancellationToken).ConfigureAwait(false);
        }

        await using var cmd = Command(connection, null,
            $"SELECT {EndpointColumns} FROM endpoints WHERE team_id = @team ORDER BY created_at, id LIMIT @limit OFFSET @offset");
        Add(cmd, "team", teamId);
        Add(cmd, "limit", limit);
        Add(cmd, "offset", offset);
        return new Page<AgentEndpoint>(await ReadAllAsync(cmd, ReadEndpoint, cancellationToken).ConfigureAwait(false), total);
    }

    public async Task<bool> UpdateEndpointAsync(AgentEndpoint endpoint, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (endpoint.IsDefault)
            {
                await ClearDefaultAsync(connection, tx, endpoint.TeamId, cancellationToken).ConfigureAwait(false);
            }

            await using (var cmd = Command(connection, tx,
                "UPDATE endpoints SET name = @name, is_default = @default, spec = @spec, updated_at = @updated WHERE id = @id AND team_id = @team"))
            {
                AddEndpoint(cmd, endpoint);
                if (await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
                {
                    return false;
                }
            }

            await using (var clear = Command(connection, tx, "DELETE FROM endpoint_numbers WHERE endpoint_id = @id"))
            {
                Add(clear, "id", endpoint.Id);
                await clear.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await using (var clear = Command(connection, tx, "DELETE FROM endpoint_external_ids WHERE endpoint_id = @id"))
            {
                Add(clear, "id", endpoint.Id);
                await clear.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await using (var clear = Command(connection, tx, "DELETE FROM chatbot_channels WHERE endpoint_id = @id"))
            {
                Add(clear, "id", endpoint.Id);
                await clear.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await WriteNumbersAsync(connection, tx, endpoint, cancellationToken).ConfigureAwait(false);
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DbException ex) when (Dialect.IsUniqueViolation(ex))
        {
            await tx.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
            throw await ConflictAsync(endpoint, ex, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<bool> DeleteEndpointAsync(Guid teamId, Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var numbers = Command(connection, tx,
            "DELETE FROM endpoint_numbers WHERE endpoint_id IN (SELECT id FROM endpoints WHERE id = @id AND team_id = @team)"))
        {
            Add(numbers, "id", id);
            Add(numbers, "team", teamId);
            await numbers.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var externalIds = Command(connection, tx,
            "DELETE FROM endpoint_external_ids WHERE endpoint_id IN (SELECT id FROM endpoints WHERE id = @id AND team_id = @team)"))
        {
            Add(externalIds, "id", id);
            Add(externalIds, "team", teamId);
            await externalIds.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var channels = Command(connection, tx,
            "DELETE FROM chatbot_channels WHERE endpoint_id IN (SELECT id FROM endpoints WHERE id = @id AND team_id = @team)"))
        {
            Add(channels, "id", id);
            Add(channels, "team", teamId);
            await channels.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        int deleted;
        await using (var cmd = Command(connection, tx, "DELETE FROM endpoints WHERE id = @id AND team_id = @team"))
        {
            Add(cmd, "id", id);
            Add(cmd, "team", teamId);
            deleted = await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return deleted > 0;
    }

    private async Task<AgentEndpoint?> QueryEndpointAsync(string where, Action<DbCommand> bind, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Command(connection, null, $"SELECT {EndpointColumns} FROM endpoints WHERE {where}");
        bind(cmd);
        return (await ReadAllAsync(cmd, ReadEndpoint, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
    }

    private static async Task ClearDefaultAsync(DbConnection connection, DbTransaction tx, Guid teamId, CancellationToken cancellationToken)
    {
        await using var cmd = Command(connection, tx, "UPDATE endpoints SET is_default = 0 WHERE team_id = @team AND is_default = 1");
        Add(cmd, "team", teamId);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteNumbersAsync(DbConnection connection, DbTransaction tx, AgentEndpoint endpoint, CancellationToken cancellationToken)
    {
        // A spec parsed from "phoneNumbers": null has a null list despite the annotation.
        foreach (var number in (endpoint.Spec.PhoneNumbers ?? []).Distinct(StringComparer.Ordinal))
        {
            await using var cmd = Command(connection, tx, "INSERT INTO endpoint_numbers (number, endpoint_id) VALUES (@number, @id)");
            Add(cmd, "number", number);
            Add(cmd, "id", endpoint.Id);
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        if (!string.IsNullOrEmpty(endpoint.Spec.ExternalId))
        {
            // The primary key (team_id, external_id) makes the id unique per team; a clash is a conflict like a taken number.
            await using var cmd = Command(connection, tx, "INSERT INTO endpoint_external_ids (team_id, external_id, endpoint_id) VALUES (@team, @external, @id)");
            Add(cmd, "team", endpoint.TeamId);
            Add(cmd, "external", endpoint.Spec.ExternalId);
            Add(cmd, "id", endpoint.Id);
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        if (endpoint.Spec.Chatbot is { } chatbot)
        {
            // The primary key makes a channel unique per gateway: the callback's URL is all that names it.
            await using var cmd = Command(connection, tx, "INSERT INTO chatbot_channels (channel_id, endpoint_id) VALUES (@channel, @id)");
            Add(cmd, "channel", chatbot.ChannelId);
            Add(cmd, "id", endpoint.Id);
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Names the rule a failed write broke (after the failed transaction is rolled back).</summary>
    private async Task<StoreConflictException> ConflictAsync(AgentEndpoint endpoint, DbException ex, CancellationToken cancellationToken)
    {
        var byName = await FindEndpointByNameAsync(endpoint.TeamId, endpoint.Name, cancellationToken).ConfigureAwait(false);
        if (byName is not null && byName.Id != endpoint.Id)
        {
            return new StoreConflictException($"an endpoint named '{endpoint.Name}' already exists", ex);
        }

        foreach (var number in endpoint.Spec.PhoneNumbers ?? [])
        {
            var owner = await FindEndpointByPhoneNumberAsync(number, cancellationToken).ConfigureAwait(false);
            if (owner is not null && owner.Id != endpoint.Id)
            {
                return new StoreConflictException($"phone number {number} is already assigned to another endpoint", ex);
            }
        }

        if (!string.IsNullOrEmpty(endpoint.Spec.ExternalId)
            && await FindEndpointByExternalIdAsync(endpoint.TeamId, endpoint.Spec.ExternalId, cancellationToken).ConfigureAwait(false) is { } holder && holder.Id != endpoint.Id)
        {
            return new StoreConflictException($"externalId '{endpoint.Spec.ExternalId}' is already used by endpoint '{holder.Name}'", ex);
        }

        if (endpoint.Spec.Chatbot is { } chatbot
            && await FindChatbotChannelAsync(chatbot.ChannelId, cancellationToken).ConfigureAwait(false) is { } channelOwner && channelOwner != endpoint.Id)
        {
            return new StoreConflictException($"chatbot.channelId '{chatbot.ChannelId}' is already bound to another endpoint", ex);
        }

        return new StoreConflictException("the endpoint conflicts with an existing one", ex);
    }

    private static void AddEndpoint(DbCommand cmd, AgentEndpoint endpoint)
    {
        Add(cmd, "id", endpoint.Id);
        Add(cmd, "team", endpoint.TeamId);
        Add(cmd, "name", endpoint.Name);
        Add(cmd, "default", endpoint.IsDefault);
        Add(cmd, "spec", AgentSpecJson.Serialize(endpoint.Spec));
        Add(cmd, "created", endpoint.CreatedAt);
        Add(cmd, "updated", endpoint.UpdatedAt);
    }

    private static AgentEndpoint ReadEndpoint(DbDataReader r) => new()
    {
        Id = Guid.Parse(r.GetString(0)),
        TeamId = Guid.Parse(r.GetString(1)),
        Name = r.GetString(2),
        IsDefault = r.GetInt64(3) != 0,
        Spec = AgentSpecJson.ParseStored(r.GetString(4)),
        CreatedAt = ReadTime(r, 5),
        UpdatedAt = ReadTime(r, 6),
    };
}
