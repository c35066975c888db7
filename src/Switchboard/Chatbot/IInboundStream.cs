namespace Switchboard.Chatbot;

/// <summary>
/// The conversations' inbound streams (what chatbots called back with). In process today; a Redis Streams implementation
/// (XADD per conversation key) can replace it, keeping the id format.
/// </summary>
internal interface IInboundStream
{
    /// <summary>Appends a callback's body to the conversation's stream and returns the entry's id.</summary>
    ValueTask<StreamId> AppendAsync(string conversationId, string bodyJson, CancellationToken cancellationToken);

    /// <summary>The newest entries of a conversation, oldest first (at most what the stream keeps).</summary>
    ValueTask<IReadOnlyList<InboundEntry>> ReadAsync(string conversationId, CancellationToken cancellationToken);
}
