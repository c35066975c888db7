using System.Data.Common;
using Switchboard.Common;
using Switchboard.Control;

namespace Switchboard.Storage;

internal abstract partial class SqlStore
{
    private const string TeamColumns = "id, name, created_at";

    public async Task CreateTeamAsync(Team team, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Command(connection, null, "INSERT INTO teams (id, name, created_at) VALUES (@id, @name, @at)");
        Add(cmd, "id", team.Id);
        Add(cmd, "name", team.Name);
        Add(cmd, "at", team.CreatedAt);
        try
        {
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbException ex) when (Dialect.IsUniqueViolation(ex))
        {
            throw new StoreConflictException($"a team named '{team.Name}' already exists", ex);
        }
    }

    public async Task<Team?> GetTeamAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Command(connection, null, $"SELECT {TeamColumns} FROM teams WHERE id = @id");
        Add(cmd, "id", id);
        return (await ReadAllAsync(cmd, ReadTeam, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
    }

    public async Task<Team?> FindTeamByNameAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Command(connection, null, $"SELECT {TeamColumns} FROM teams WHERE name = @name");
        Add(cmd, "name", name);
        return (await ReadAllAsync(cmd, ReadTeam, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
    }

    public async Task<IReadOnlyList<Team>> ListTeamsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Command(connection, null, $"SELECT {TeamColumns} FROM teams ORDER BY created_at, id");
        return await ReadAllAsync(cmd, ReadTeam, cancellationToken).ConfigureAwait(false);
    }

    private static Team ReadTeam(DbDataReader r) => new(Guid.Parse(r.GetString(0)), r.GetString(1), ReadTime(r, 2));
}
