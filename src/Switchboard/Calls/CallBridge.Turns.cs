using System.Globalization;
using System.Text;
using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Journal;

namespace Switchboard.Calls;

/// <summary>Turns: the greeting, typed turns (queued, answered one at a time), and tool turns.</summary>
internal sealed partial class CallBridge
{
    /// <summary>Turns typed while the agent is still answering wait here; more than this is refused.</summary>
    private const int MaxPendingTurns = 16;

    private readonly Lock _turnGate = new();
    private readonly Queue<PendingTurn> _pendingTurns = new();

    /// <summary>Agent text streamed so far per item (under <see cref="_turnGate"/>).</summary>
    private readonly Dictionary<string, StringBuilder> _agentText = new(StringComparer.Ordinal);

    /// <summary>Final agent text per item, for a leg that shows text (a barge-in completed later shows it again, marked).</summary>
    private readonly Dictionary<string, string> _agentFinals = new(StringComparer.Ordinal);
    private bool _backendReady;
    private bool _turnActive;
    private string? _turnEventId;
    private int _turnCounter;

    /// <summary>
    /// The first agent message. Spoken like any answer when the agent speaks (typed turns wait until it is done);
    /// otherwise shown as said and added to the conversation as the assistant's first message so the model knows it.
    /// </summary>
    private async Task GreetAsync(string? greeting, CancellationToken token)
    {
        if (greeting is null)
        {
            return;
        }

        if (Speaks)
        {
            string eventId;
            lock (_turnGate)
            {
                _turnActive = true;
                eventId = _turnEventId = "sb_greeting";
            }

            await SendToBackendAsync(w => RealtimeClientEvents.WriteResponseCreate(w, $"Greet the caller by saying exactly: \"{greeting}\"", eventId), token).ConfigureAwait(false);
            return;
        }

        var itemId = NewItemId();
        await SendToBackendAsync(w => RealtimeClientEvents.WriteAssistantText(w, greeting, itemId), token).ConfigureAwait(false);
        await _leg.ShowTranscriptAsync("agent", greeting, final: true, itemId, null, token).ConfigureAwait(false);
        Record(CallEventType.AgentTurn, role: "agent", text: greeting, itemId: itemId);
    }

    /// <summary>A typed turn: shown back as a final transcript, journalled, and queued for the agent.</summary>
    private async Task OnUserTextAsync(string text, CancellationToken token)
    {
        bool full;
        lock (_turnGate)
        {
            full = _pendingTurns.Count >= MaxPendingTurns;
        }

        if (full)
        {
            await _leg.ShowErrorAsync(CallerErrorCodes.TooManyPending, $"{MaxPendingTurns} turns are already waiting; wait for status idle", null, token).ConfigureAwait(false);
            return;
        }

        var itemId = NewItemId();
        await _leg.ShowTranscriptAsync("user", text, final: true, itemId, null, token).ConfigureAwait(false);
        Record(CallEventType.CallerTurn, role: "caller", text: text, itemId: itemId);
        lock (_turnGate)
        {
            _pendingTurns.Enqueue(new PendingTurn(itemId, text));
        }

        await TryStartNextTurnAsync(token).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts the next queued turn when the backend is ready and no turn or response is running: the user message, then
    /// <c>response.create</c>, tagged with an event id so a backend error about it can be matched to the turn.
    /// </summary>
    private async Task TryStartNextTurnAsync(CancellationToken token)
    {
        PendingTurn turn;
        string eventId;
        lock (_turnGate)
        {
            // _responseActive: with voice detection the backend starts responses by itself; a second response.create
            // while one runs would be refused (conversation_already_has_active_response).
            if (!_backendReady || _turnActive || _responseActive || EndReason is not null || SayingGoodbye || !_pendingTurns.TryDequeue(out turn))
            {
                return;
            }

            _turnActive = true;
            eventId = _turnEventId = "sb_turn_" + (++_turnCounter).ToString(CultureInfo.InvariantCulture);
        }

        await ShowStateAsync(CallerStates.Thinking, token).ConfigureAwait(false);
        if (turn.Say)
        {
            await SendToBackendAsync(w => RealtimeClientEvents.WriteResponseCreate(w, SayExactly(turn.Text), eventId), token).ConfigureAwait(false);
            return;
        }

        await SendToBackendAsync(w => RealtimeClientEvents.WriteUserText(w, turn.Text, turn.ItemId, eventId + "_item"), token).ConfigureAwait(false);
        await SendToBackendAsync(w => RealtimeClientEvents.WriteResponseCreate(w, eventId: eventId), token).ConfigureAwait(false);
    }

    /// <summary>The running turn is over (answered, failed or refused): show idle and start the next one. False when no turn was running.</summary>
    private async Task<bool> EndTurnAsync(CancellationToken token)
    {
        lock (_turnGate)
        {
            if (!_turnActive)
            {
                return false;
            }

            _turnActive = false;
            _turnEventId = null;
        }

        SignalAnswerOver();
        await ShowStateAsync(CallerStates.Idle, token).ConfigureAwait(false);
        await TryStartNextTurnAsync(token).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Runs a completed response's function calls in order — browser actions on the page, everything else through the
    /// endpoint's tool runner (built-ins, HTTP tools) — journals each, sends the outputs, and asks for the response that
    /// answers them (an armed end or transfer waits for that response).
    /// </summary>
    private async Task RunToolsAsync(List<FunctionCallArgumentsDoneEvent> calls, CancellationToken token)
    {
        // Tools keep running when the backend session drops (their side effects happen once); their results are
        // journalled, and a replay sent after one is recorded carries it. Outputs are only sent to the session that asked.
        var generation = Volatile.Read(ref _sessionGeneration);
        try
        {
            foreach (var call in calls)
            {
                var result = "";
                var status = "cancelled";
                var isAction = IsBrowserAction(call.Name);
                var kind = isAction ? "browser_action" : "tool";
                var toolStarted = _time.GetTimestamp();
                var span = _trace?.StartTool(call.Name, call.CallId, kind);
                try
                {
                    if (isAction)
                    {
                        result = await _leg.RunActionAsync(call.CallId, call.Name, call.Arguments, token).ConfigureAwait(false);
                        status = result.StartsWith("{\"ok\":true", StringComparison.Ordinal) ? "ok" : "action_failed";
                    }
                    else
                    {
                        var outcome = await _toolRunner!.RunAsync(CallId, call.CallId, call.Name, call.Arguments, token).ConfigureAwait(false);
                        (result, status) = (outcome.OutputJson, outcome.Status);
                    }
                }
                catch (Exception ex) when (!token.IsCancellationRequested)
                {
                    CallLog.ToolFailed(_logger, CallId, call.Name, ex.GetType().Name);
                    (result, status) = ("{\"error\":\"tool_failed\"}", "tool_failed");
                }
                finally
                {
                    // Ends the span (the call span is current again) and records the tool's duration.
                    _trace?.ToolEnded(span, kind, status, toolStarted);
                }

                Record(CallEventType.ToolCall, text: call.Name, detail: result, reason: status, data: new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["call_id"] = call.CallId,
                    ["arguments"] = call.Arguments,
                    ["kind"] = isAction ? "browser_action" : "tool",
                });
                if (Volatile.Read(ref _sessionGeneration) == generation && !_reconnecting)
                {
                    await SendToBackendAsync(w => RealtimeClientEvents.WriteFunctionCallOutput(w, call.CallId, result), token).ConfigureAwait(false);
                }
            }

            if (Volatile.Read(ref _sessionGeneration) != generation || _reconnecting)
            {
                // The session that asked is gone; the reconnect asks the new one to answer (with these results if replayed).
                return;
            }

            string eventId;
            lock (_turnGate)
            {
                eventId = _turnEventId = "sb_turn_" + (++_turnCounter).ToString(CultureInfo.InvariantCulture);
            }

            // An end_call or transfer among the calls now waits for this response (the goodbye or the announcement) to play out.
            StartArmedControl(token);
            await SendToBackendAsync(w => RealtimeClientEvents.WriteResponseCreate(w, eventId: eventId), token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    private bool IsBrowserAction(string name) =>
        _capabilities.HasFlag(CallerLegCapabilities.BrowserActions)
        && (_agent!.Spec.BrowserActions ?? []).Any(a => string.Equals(a.Name, name, StringComparison.Ordinal));

    /// <summary>Item ids the gateway gives typed turns and greetings (the backend accepts client-chosen ids up to 32 characters).</summary>
    private static string NewItemId() => "msg_" + Guid.NewGuid().ToString("N")[..24];

    /// <summary>A typed turn waiting for the agent.</summary>
    /// <summary>A queued turn: the caller's typed text, or (<paramref name="Say"/>) words the agent is to say (a chatbot's).</summary>
    private readonly record struct PendingTurn(string ItemId, string Text, bool Say = false);
}
