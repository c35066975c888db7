using System.Data.Common;
using Switchboard.Chatbot;

namespace Switchboard.Storage;

internal abstract partial class SqlStore
{
    public async Task<Guid?> FindChatbotChannelAsync(string channelId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Command(connection, null, "SELECT endpoint_id FROM chatbot_channels WHERE channel_id = @channel");
        Add(cmd, "channel", channelId);
        return (await ReadAllAsync(cmd, r => Guid.Parse(r.GetString(0)), cancellationToken).ConfigureAwait(false)) is [var id, ..] ? id : null;
    }

    /// <summary>How long an expired conversation is kept: a late callback gets 410 (ended), not 401 (unknown), meanwhile.</summary>
    internal static readonly TimeSpan ExpiredChatbotConversationsKept = TimeSpan.FromDays(1);

    /// <summary>Stores <paramref name="conversation"/>; conversations expired longer than <see cref="ExpiredChatbotConversationsKept"/> ago go as new ones come.</summary>
    public async Task CreateChatbotConversationAsync(ChatbotConversation conversation, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (var prune = Command(connection, null, "DELETE FROM chatbot_conversations WHERE expires_at < @cutoff"))
        {
            Add(prune, "cutoff", conversation.CreatedAt - ExpiredChatbotConversationsKept);
            await prune.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using var cmd = Command(connection, null,
            "INSERT INTO chatbot_conversations (id, channel_id, team_id, endpoint_id, session_id, token_hash, created_at, expires_at) " +
            "VALUES (@id, @channel, @team, @endpoint, @session, @hash, @created, @expires)");
        Add(cmd, "id", conversation.Id);
        Add(cmd, "channel", conversation.ChannelId);
        Add(cmd, "team", conversation.TeamId);
        Add(cmd, "endpoint", conversation.EndpointId);
        Add(cmd, "session", conversation.SessionId);
        Add(cmd, "hash", conversation.TokenHash);
        Add(cmd, "created", conversation.CreatedAt);
        Add(cmd, "expires", conversation.ExpiresAt);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<ChatbotConversation?> GetChatbotConversationAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Command(connection, null,
            "SELECT id, channel_id, team_id, endpoint_id, session_id, token_hash, created_at, expires_at FROM chatbot_conversations WHERE id = @id");
        Add(cmd, "id", id);
        return (await ReadAllAsync(cmd, ReadChatbotConversation, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
    }

    private static ChatbotConversation ReadChatbotConversation(DbDataReader r) => new()
    {
        Id = r.GetString(0),
        ChannelId = r.GetString(1),
        TeamId = Guid.Parse(r.GetString(2)),
        EndpointId = Guid.Parse(r.GetString(3)),
        SessionId = Guid.Parse(r.GetString(4)),
        TokenHash = (byte[])r.GetValue(5),
        CreatedAt = ReadTime(r, 6),
        ExpiresAt = ReadTime(r, 7),
    };
}
