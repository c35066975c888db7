using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Journal;

namespace Switchboard.Calls;

/// <summary>
/// Words an external chatbot sends into the live call (its callbacks, docs/migrating.md): a caller that hears the agent
/// hears them spoken — a turn in the same queue as typed turns, answered by asking the model to say exactly that, as the
/// greeting is — and a caller that only reads sees them as a <c>chatbot</c> message, added to the conversation as the
/// assistant's so the model knows they were said.
/// </summary>
internal sealed partial class CallBridge
{
    /// <summary>
    /// Delivers <paramref name="text"/> (stream entry <paramref name="streamId"/>). False when the call is ending, cannot
    /// show or speak anything, or its spoken queue is full.
    /// </summary>
    public async Task<bool> DeliverChatbotAsync(string text, string streamId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        if (EndReason is not null || SayingGoodbye || _agent is null)
        {
            return false;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _cts.Token);
        var token = linked.Token;
        var itemId = NewItemId();
        if (Speaks)
        {
            lock (_turnGate)
            {
                if (_pendingTurns.Count >= MaxPendingTurns)
                {
                    return false;
                }

                _pendingTurns.Enqueue(new PendingTurn(itemId, text, Say: true));
            }

            await TryStartNextTurnAsync(token).ConfigureAwait(false);
            return true;
        }

        if (!_capabilities.HasFlag(CallerLegCapabilities.ShowsText))
        {
            return false;
        }

        if (_backend is not null)
        {
            await SendToBackendAsync(w => RealtimeClientEvents.WriteAssistantText(w, text, itemId), token).ConfigureAwait(false);
        }

        await _leg.ShowChatbotAsync(itemId, text, streamId, token).ConfigureAwait(false);
        Record(CallEventType.AgentTurn, role: "agent", text: text, itemId: itemId,
            data: new Dictionary<string, string>(StringComparer.Ordinal) { ["source"] = "chatbot", ["stream_id"] = streamId });
        return true;
    }

    /// <summary>What the model is asked to do for a spoken chatbot message (the greeting asks the same way).</summary>
    private static string SayExactly(string text) => $"Say exactly: \"{text}\"";
}
