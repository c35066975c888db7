using System.Data.Common;
using System.Text.Json;
using Switchboard.Common;
using Switchboard.Control;

namespace Switchboard.Storage;

internal abstract partial class SqlStore
{
    private const string TeamColumns = "id, name, created_at, limits";

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

    public async Task<bool> SetTeamLimitsAsync(Guid id, TeamLimits limits, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Command(connection, null, "UPDATE teams SET limits = @limits WHERE id = @id");
        Add(cmd, "limits", JsonSerializer.Serialize(limits, ControlJsonContext.Default.TeamLimits));
        Add(cmd, "id", id);
        return await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    private static Team ReadTeam(DbDataReader r) => new(Guid.Parse(r.GetString(0)), r.GetString(1), ReadTime(r, 2))
    {
        // Unreadable limits (a hand-edited row) read as none rather than making the team unusable.
        Limits = r.IsDBNull(3) ? TeamLimits.None : ReadLimits(r.GetString(3)),
    };

    private static TeamLimits ReadLimits(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, ControlJsonContext.Default.TeamLimits) ?? TeamLimits.None;
        }
        catch (JsonException)
        {
            return TeamLimits.None;
        }
    }
}
