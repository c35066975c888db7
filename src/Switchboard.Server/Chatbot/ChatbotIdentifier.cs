namespace Switchboard.Server.Chatbot;

/// <summary><c>conversation.identifier</c> in a chatbot callback: <c>id</c> is the conversation id from the session's creation.</summary>
internal sealed record ChatbotIdentifier(string Id);
