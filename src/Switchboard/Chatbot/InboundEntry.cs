namespace Switchboard.Chatbot;

/// <summary>One callback as appended to a conversation's inbound stream: its id and the body's JSON as received.</summary>
internal sealed record InboundEntry(StreamId Id, string ConversationId, string BodyJson);
