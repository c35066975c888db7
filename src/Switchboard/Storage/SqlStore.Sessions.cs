using System.Data.Common;
using Switchboard.Control;

namespace Switchboard.Storage;

internal abstract partial class SqlStore
{
    public async Task CreateSessionAsync(SessionRecord session, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Command(connection, null,
            "INSERT INTO sessions (id, team_id, endpoint_id, mode, flow, created_at, expires_at) VALUES (@id, @team, @endpoint, @mode, @flow, @created, @expires)");
        Add(cmd, "id", session.Id);
        Add(cmd, "team", session.TeamId);
        Add(cmd, "endpoint", session.EndpointId);
        Add(cmd, "mode", session.Mode);
        Add(cmd, "flow", session.Flow);
        Add(cmd, "created", session.CreatedAt);
        Add(cmd, "expires", session.ExpiresAt);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<SessionRecord?> GetSessionAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Command(connection, null,
            "SELECT id, team_id, endpoint_id, mode, flow, created_at, expires_at FROM sessions WHERE id = @id");
        Add(cmd, "id", id);
        return (await ReadAllAsync(cmd, ReadSession, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
    }

    private static SessionRecord ReadSession(DbDataReader r) => new()
    {
        Id = Guid.Parse(r.GetString(0)),
        TeamId = Guid.Parse(r.GetString(1)),
        EndpointId = Guid.Parse(r.GetString(2)),
        Mode = r.GetString(3),
        Flow = ReadOptionalString(r, 4),
        CreatedAt = ReadTime(r, 5),
        ExpiresAt = ReadTime(r, 6),
    };
}
