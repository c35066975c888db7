namespace Switchboard.Control;

/// <summary>Sessions created for the session WebSocket.</summary>
internal interface ISessionStore
{
    Task CreateSessionAsync(SessionRecord session, CancellationToken cancellationToken);

    Task<SessionRecord?> GetSessionAsync(Guid id, CancellationToken cancellationToken);
}
