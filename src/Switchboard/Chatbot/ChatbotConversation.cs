namespace Switchboard.Chatbot;

/// <summary>
/// A conversation an external chatbot takes part in: opened with a session on an endpoint bound to a chatbot channel. The
/// chatbot's callbacks name it and carry its token, kept here only as a SHA-256 hash; it lives as long as the session.
/// </summary>
internal sealed record ChatbotConversation
{
    /// <summary>The id the chatbot sends as <c>conversation.identifier.id</c>.</summary>
    public required string Id { get; init; }

    public required string ChannelId { get; init; }

    public required Guid TeamId { get; init; }

    public required Guid EndpointId { get; init; }

    public required Guid SessionId { get; init; }

    /// <summary>SHA-256 of the token (<see cref="ChatbotTokens"/>).</summary>
    public required byte[] TokenHash { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }
}
