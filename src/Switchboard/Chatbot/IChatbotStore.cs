namespace Switchboard.Chatbot;

/// <summary>Chatbot channels (bound on endpoints, unique per gateway) and the conversations sessions open on them.</summary>
internal interface IChatbotStore
{
    /// <summary>The endpoint bound to <paramref name="channelId"/> (<c>chatbot.channelId</c> in its spec), or null.</summary>
    Task<Guid?> FindChatbotChannelAsync(string channelId, CancellationToken cancellationToken);

    Task CreateChatbotConversationAsync(ChatbotConversation conversation, CancellationToken cancellationToken);

    Task<ChatbotConversation?> GetChatbotConversationAsync(string id, CancellationToken cancellationToken);
}
