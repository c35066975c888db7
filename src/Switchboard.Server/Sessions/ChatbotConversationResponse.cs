namespace Switchboard.Server.Sessions;

/// <summary>
/// The chatbot conversation a session opened: what the chatbot sends back as <c>conversation.identifier.id</c> and in the
/// <c>token</c> header, to <paramref name="CallbackUrl"/>. The token is shown once; the gateway keeps only its hash.
/// </summary>
internal sealed record ChatbotConversationResponse(string ConversationId, string Token, string ChannelId, string CallbackUrl, int ExpiresIn);
