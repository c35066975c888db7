namespace Switchboard.Chatbot;

/// <summary>
/// <see cref="IInboundStream"/> in this process: ids from one clock shared by all conversations (as one Redis server's),
/// each conversation keeping its newest <see cref="EntriesPerConversation"/> entries (XADD MAXLEN), and at most
/// <see cref="MaxConversations"/> conversations (the least recently written is dropped first).
/// </summary>
internal sealed class InProcessInboundStream : IInboundStream
{
    public const int EntriesPerConversation = 100;
    public const int MaxConversations = 10_000;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, LinkedListNode<(string Id, Queue<InboundEntry> Entries)>> _byId = new(StringComparer.Ordinal);

    /// <summary>Conversations, least recently written first.</summary>
    private readonly LinkedList<(string Id, Queue<InboundEntry> Entries)> _order = new();
    private readonly TimeProvider _time;
    private StreamId _last;

    public InProcessInboundStream(TimeProvider time) => _time = time;

    public ValueTask<StreamId> AppendAsync(string conversationId, string bodyJson, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(conversationId);
        lock (_gate)
        {
            var id = _last = StreamId.Next(_last, _time.GetUtcNow().ToUnixTimeMilliseconds());
            if (_byId.TryGetValue(conversationId, out var node))
            {
                _order.Remove(node);
            }
            else
            {
                if (_byId.Count >= MaxConversations && _order.First is { } oldest)
                {
                    _order.RemoveFirst();
                    _byId.Remove(oldest.Value.Id);
                }

                node = new LinkedListNode<(string, Queue<InboundEntry>)>((conversationId, new Queue<InboundEntry>()));
                _byId[conversationId] = node;
            }

            _order.AddLast(node);
            var entries = node.Value.Entries;
            entries.Enqueue(new InboundEntry(id, conversationId, bodyJson));
            if (entries.Count > EntriesPerConversation)
            {
                entries.Dequeue();
            }

            return ValueTask.FromResult(id);
        }
    }

    public ValueTask<IReadOnlyList<InboundEntry>> ReadAsync(string conversationId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<InboundEntry> entries = _byId.TryGetValue(conversationId, out var node) ? [.. node.Value.Entries] : [];
            return ValueTask.FromResult(entries);
        }
    }
}
