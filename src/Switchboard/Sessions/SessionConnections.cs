using System.Collections.Concurrent;

namespace Switchboard.Sessions;

/// <summary>
/// The live connection of each session on this node. A session has at most one: a newer connection (a reload,
/// a second tab) takes over and the older one is closed with 4000.
/// </summary>
internal sealed class SessionConnections
{
    private readonly ConcurrentDictionary<Guid, SessionConversation> _live = new();

    public int Count => _live.Count;

    /// <summary>Makes <paramref name="conversation"/> the session's connection; returns the one it replaces, if any.</summary>
    public SessionConversation? Register(SessionConversation conversation)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        SessionConversation? previous = null;
        _live.AddOrUpdate(conversation.SessionId, conversation, (_, old) =>
        {
            previous = old;
            return conversation;
        });
        return ReferenceEquals(previous, conversation) ? null : previous;
    }

    /// <summary>Forgets the connection, unless a newer one has already replaced it.</summary>
    public void Unregister(SessionConversation conversation)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        _live.TryRemove(new KeyValuePair<Guid, SessionConversation>(conversation.SessionId, conversation));
    }
}
