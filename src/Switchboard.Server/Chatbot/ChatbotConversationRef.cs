namespace Switchboard.Server.Chatbot;

/// <summary><c>conversation</c> in a chatbot callback.</summary>
internal sealed record ChatbotConversationRef(ChatbotIdentifier Identifier);
