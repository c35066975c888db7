using System.Text.Json;

namespace Switchboard.Server.Chatbot;

/// <summary>The documented shape of a chatbot callback's body (read by <see cref="Switchboard.Chatbot.ChatbotCallback"/>).</summary>
internal sealed record ChatbotCallbackRequest
{
    /// <summary><c>{ "identifier": { "id": "conv_…" } }</c>: the conversation the session opened (required).</summary>
    public required ChatbotConversationRef Conversation { get; init; }

    /// <summary>The chatbot's messages: strings, or objects whose <c>text</c> the agent says (voice) or the page shows (text).</summary>
    public IReadOnlyList<JsonElement>? Messages { get; init; }

    /// <summary>Anything else the chatbot sends along; kept in the conversation's inbound stream.</summary>
    public JsonElement? Metadata { get; init; }
}
