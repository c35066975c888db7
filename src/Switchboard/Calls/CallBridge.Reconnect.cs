using System.Buffers;
using System.Globalization;
using System.Net.WebSockets;
using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Journal;

namespace Switchboard.Calls;

/// <summary>
/// Backend fault tolerance, for every channel whose audio passes through the gateway: a backend session that drops (a
/// close frame, a reset, a socket aborted without a close, a ping left unanswered) is regained within
/// <c>Backend:ReconnectBudgetSeconds</c> with backoff, and the conversation so far is replayed into the new session from
/// the call's journalled turns before anything else reaches it; a session near the backend's length cap is recycled the
/// same way at a quiet moment. The caller hears silence during the gap; their audio meanwhile is dropped, not queued.
/// </summary>
internal sealed partial class CallBridge
{
    /// <summary>The note that ends a replay: the model learns why the conversation resumed (a system message, <c>input_text</c>).</summary>
    internal const string InterruptionNote =
        "The connection was briefly interrupted and has been restored; the conversation so far is above. Continue naturally from where it stopped, without mentioning technical details unless the caller asks.";

    /// <summary>How many item ids of replaced sessions are remembered (a barge-in must never name one on the new session).</summary>
    private const int MaxStaleItems = 256;

    /// <summary>What replay needs of the journal: the caller, agent and tool turns, in order (the same events the journal holds).</summary>
    private readonly List<CallEvent> _conversation = [];

    /// <summary>Item ids of replaced sessions (under <see cref="_turnGate"/>).</summary>
    private readonly HashSet<string> _staleItems = new(StringComparer.Ordinal);
    private readonly Queue<string> _staleOrder = new();

    /// <summary>Agent audio items of the current session (backend loop only), stale once the session is replaced.</summary>
    private readonly List<string> _sessionItems = [];

    /// <summary>The <c>session.update</c> the call started with, sent again first on every new session.</summary>
    private byte[]? _sessionUpdate;

    /// <summary>True from a drop until the replay has been sent: caller audio is dropped, typed turns wait.</summary>
    private volatile bool _reconnecting;

    /// <summary>Incremented for every new backend session: work begun on an older one (a tool's output) knows it.</summary>
    private int _sessionGeneration;
    private int _reconnects;
    private long _gapFrames;
    private long _sessionStartedTimestamp;

    /// <summary>The session is being recycled on purpose (its age): the close that follows is not a failure.</summary>
    private volatile bool _recycleRequested;

    private TimeSpan ReconnectBudget => TimeSpan.FromSeconds(_options.Backend.ReconnectBudgetSeconds);

    /// <summary>Whether a drop now can be survived: a gateway-carried leg, reconnecting on, and this call not over its reconnects.</summary>
    private bool CanReconnect =>
        _remoteLeg is null && _options.Backend.ReconnectBudgetSeconds > 0 && EndReason is null && Volatile.Read(ref _reconnects) < _options.Backend.MaxReconnectsPerCall;

    /// <summary>Keeps the journalled turns replay needs (called for every event the call journals).</summary>
    private void RememberForReplay(CallEvent callEvent)
    {
        if (callEvent.Type is CallEventType.CallerTurn or CallEventType.AgentTurn or CallEventType.ToolCall)
        {
            lock (_conversation)
            {
                _conversation.Add(callEvent);
            }
        }
    }

    /// <summary>A new agent audio item on the current session (on the backend loop, once per item).</summary>
    private void NoteSessionItem(string itemId) => _sessionItems.Add(itemId);

    /// <summary>Whether <paramref name="itemId"/> belongs to a replaced session (truncating it on the new one would be refused).</summary>
    private bool IsStaleItem(string itemId)
    {
        lock (_turnGate)
        {
            return _staleItems.Contains(itemId);
        }
    }

    /// <summary>
    /// The backend session dropped: regain one within the budget and replay the conversation into it; with the budget spent,
    /// the endpoint's fallback backend gets a budget of its own and the same replay (<see cref="SwitchToFallback"/>). True
    /// when the call goes on (<see cref="_backend"/> is the new session); false when it has ended (<c>backend_unavailable</c>).
    /// Runs on the backend loop, so no backend event is handled meanwhile.
    /// </summary>
    private async Task<bool> ReconnectAsync(RealtimeConnection old, string reason, string detail, CancellationToken token)
    {
        var gapStarted = _time.GetTimestamp();
        var budget = ReconnectBudget;
        if (reason != ReconnectReasons.SessionAge)
        {
            // Only drops count against MaxReconnectsPerCall: a long call recycles as often as its length needs.
            Interlocked.Increment(ref _reconnects);
            CallLog.BackendDropped(_logger, CallId, detail, (long)budget.TotalMilliseconds);
        }

        var wasAnswering = await ForgetSessionAsync(old, token).ConfigureAwait(false);

        var attempts = 0;
        var backoff = TimeSpan.FromMilliseconds(_options.Backend.ReconnectInitialBackoffMs);
        var maxBackoff = TimeSpan.FromMilliseconds(_options.Backend.ReconnectMaxBackoffMs);
        var error = detail;
        // The budget runs from the drop, and again from the switch when the fallback takes over.
        var budgetStarted = gapStarted;
        while (true)
        {
            if (token.IsCancellationRequested || EndReason is not null)
            {
                break;
            }

            var remaining = budget - _time.GetElapsedTime(budgetStarted);
            if (remaining <= TimeSpan.Zero)
            {
                // The primary was not regained in time: the fallback, once, with the same replay; else give up.
                if (!SwitchToFallback($"not regained within {budget.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s: {error}"))
                {
                    break;
                }

                reason = ReconnectReasons.Failover;
                budgetStarted = _time.GetTimestamp();
                backoff = TimeSpan.FromMilliseconds(_options.Backend.ReconnectInitialBackoffMs);
                continue;
            }

            attempts++;
            RealtimeConnection? fresh = null;
            try
            {
                using var timeout = new CancellationTokenSource(remaining, _time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(token, timeout.Token);
                fresh = await _services.Connector.ConnectAsync(_backendEndpoint!, linked.Token).ConfigureAwait(false);
                var (replayed, eventId) = await ReplayAsync(fresh, wasAnswering, token).ConfigureAwait(false);
                if (replayed >= 0)
                {
                    Resume(fresh, wasAnswering, eventId);
                    var gapMs = (long)_time.GetElapsedTime(gapStarted).TotalMilliseconds;
                    CallLog.BackendReconnected(_logger, CallId, reason, gapMs, attempts, replayed);
                    Record(CallEventType.BackendReconnected, reason: reason, detail: detail, data: FailoverData(new Dictionary<string, string>(StringComparer.Ordinal)
                    {
                        ["gap_ms"] = gapMs.ToString(CultureInfo.InvariantCulture),
                        ["attempts"] = attempts.ToString(CultureInfo.InvariantCulture),
                        ["replayed_items"] = replayed.ToString(CultureInfo.InvariantCulture),
                        ["gap_frames"] = Interlocked.Read(ref _gapFrames).ToString(CultureInfo.InvariantCulture),
                    }));
                    await ShowStateAsync(wasAnswering ? CallerStates.Thinking : CallerStates.Idle, token).ConfigureAwait(false);
                    await TryStartNextTurnAsync(token).ConfigureAwait(false);
                    return true;
                }

                error = "the new session closed during the replay";
            }
            catch (Exception ex) when (!token.IsCancellationRequested
                && ex is WebSocketException or IOException or OperationCanceledException or InvalidOperationException or HttpRequestException)
            {
                error = ex.Message;
            }

            if (fresh is not null)
            {
                fresh.Abort();
                await fresh.DisposeAsync().ConfigureAwait(false);
            }

            CallLog.BackendReconnectAttemptFailed(_logger, CallId, attempts, error);
            remaining = budget - _time.GetElapsedTime(budgetStarted);
            if (remaining <= TimeSpan.Zero)
            {
                // Back to the top: the fallback if there is one, else the end.
                continue;
            }

            try
            {
                await Task.Delay(backoff < remaining ? backoff : remaining, _time, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            backoff = backoff * 2 < maxBackoff ? backoff * 2 : maxBackoff;
        }

        _reconnecting = false;
        if (token.IsCancellationRequested || EndReason is not null)
        {
            return false;
        }

        var elapsed = (long)_time.GetElapsedTime(gapStarted).TotalMilliseconds;
        CallLog.BackendReconnectGaveUp(_logger, CallId, attempts, elapsed, error);
        await BackendFailedAsync(CallerErrorCodes.BackendUnavailable, "the agent backend could not be reached again", CallEndReason.BackendUnavailable,
            $"the backend dropped ({detail}) and was not regained within {budget.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s: {error}", token).ConfigureAwait(false);
        return false;
    }

    /// <summary>
    /// Drops everything that names the old session: its response, audio item, suppressions, pending tool calls, the turn in
    /// flight. Returns whether the agent was answering (a turn or response ran): the new session is then asked to answer.
    /// </summary>
    private async Task<bool> ForgetSessionAsync(RealtimeConnection old, CancellationToken token)
    {
        bool wasAnswering;
        lock (_turnGate)
        {
            _reconnecting = true;
            _backendReady = false;
            wasAnswering = _turnActive || _responseActive;
            _turnActive = false;
            _turnEventId = null;
            _pendingInterruption = null;
            foreach (var item in _sessionItems)
            {
                if (_staleItems.Add(item))
                {
                    _staleOrder.Enqueue(item);
                }
            }

            while (_staleOrder.Count > MaxStaleItems)
            {
                _staleItems.Remove(_staleOrder.Dequeue());
            }
        }

        _sessionItems.Clear();
        Interlocked.Increment(ref _sessionGeneration);
        old.Abort();

        // What the agent said of a response the drop cut off is journalled as its turn (and so replayed).
        List<(string Item, string Text)> partial;
        lock (_turnGate)
        {
            partial = _agentText.Select(p => (p.Key, p.Value.ToString())).ToList();
            _agentText.Clear();
        }

        foreach (var (item, text) in partial)
        {
            await FinishAgentTurnAsync(item, text, token).ConfigureAwait(false);
        }

        var response = _responseId;
        _responseId = null;
        _responseActive = false;
        _pendingToolCalls.Clear();
        _audioItem = null;
        _audioItemUtf8 = [];
        _suppressedItemUtf8 = [];
        _suppressedResponseUtf8 = [];
        _userSpeaking = false;
        _outbound?.Reset();
        if (response is not null)
        {
            // Whatever waited for that response (an armed end, a limit's goodbye) stops waiting: it will never finish.
            OnControlResponseDone(response);
            OnLimitResponseDone(response, null);
        }

        SignalAnswerOver();
        return wasAnswering;
    }

    /// <summary>
    /// Sends the replay on <paramref name="fresh"/>: the call's <c>session.update</c>, then every journalled turn as a
    /// <c>conversation.item.create</c> without an item id (user <c>input_text</c>, assistant <c>output_text</c>, a tool call as
    /// its <c>function_call</c> and <c>function_call_output</c>), then the interruption note, then — when the agent was
    /// answering — a <c>response.create</c>. Returns the items sent, or -1 when the new socket failed meanwhile.
    /// </summary>
    private async Task<(int Items, string? EventId)> ReplayAsync(RealtimeConnection fresh, bool answer, CancellationToken token)
    {
        CallEvent[] turns;
        lock (_conversation)
        {
            turns = [.. _conversation];
        }

        // Typed turns still queued are journalled already but were never sent: they follow the replay as turns.
        HashSet<string> queued;
        lock (_turnGate)
        {
            queued = _pendingTurns.Select(t => t.ItemId).ToHashSet(StringComparer.Ordinal);
        }

        var output = new ArrayBufferWriter<byte>(1024);
        if (_sessionUpdate is { } update && !await fresh.SendAsync(update, token).ConfigureAwait(false))
        {
            return (-1, null);
        }

        var items = 0;
        foreach (var turn in turns)
        {
            output.ResetWrittenCount();
            switch (turn.Type)
            {
                case CallEventType.CallerTurn when !string.IsNullOrEmpty(turn.Text) && (turn.ItemId is null || !queued.Contains(turn.ItemId)):
                    RealtimeClientEvents.WriteUserText(output, turn.Text);
                    break;
                case CallEventType.AgentTurn when !string.IsNullOrEmpty(turn.Text):
                    RealtimeClientEvents.WriteAssistantText(output, turn.Text);
                    break;
                case CallEventType.ToolCall when turn.Data is { } data && data.TryGetValue("call_id", out var callId):
                    RealtimeClientEvents.WriteFunctionCall(output, callId, turn.Text ?? "", data.GetValueOrDefault("arguments") ?? "{}");
                    if (!await fresh.SendAsync(output.WrittenMemory, token).ConfigureAwait(false))
                    {
                        return (-1, null);
                    }

                    items++;
                    output.ResetWrittenCount();
                    RealtimeClientEvents.WriteFunctionCallOutput(output, callId, turn.Detail ?? "");
                    break;
                default:
                    continue;
            }

            if (!await fresh.SendAsync(output.WrittenMemory, token).ConfigureAwait(false))
            {
                return (-1, null);
            }

            items++;
        }

        output.ResetWrittenCount();
        RealtimeClientEvents.WriteSystemText(output, InterruptionNote);
        if (!await fresh.SendAsync(output.WrittenMemory, token).ConfigureAwait(false))
        {
            return (-1, null);
        }

        items++;
        string? eventId = null;
        if (answer)
        {
            lock (_turnGate)
            {
                eventId = "sb_turn_" + (++_turnCounter).ToString(CultureInfo.InvariantCulture);
            }

            output.ResetWrittenCount();
            RealtimeClientEvents.WriteResponseCreate(output, eventId: eventId);
            if (!await fresh.SendAsync(output.WrittenMemory, token).ConfigureAwait(false))
            {
                return (-1, null);
            }
        }

        return (items, eventId);
    }

    /// <summary>The replay is out: the new session becomes the call's, caller audio and typed turns flow to it again.</summary>
    private void Resume(RealtimeConnection fresh, bool answering, string? eventId)
    {
        var old = Interlocked.Exchange(ref _backend, fresh);
        _ = DisposeQuietlyAsync(old);
        _sessionStartedTimestamp = _time.GetTimestamp();
        lock (_turnGate)
        {
            if (answering)
            {
                // The answer asked for is the running turn: typed turns wait for its response.done.
                _turnActive = true;
                _turnEventId = eventId;
            }

            _backendReady = true;
            _recycleRequested = false;
            _reconnecting = false;
        }

        NoteActivity();
    }

    private static async Task DisposeQuietlyAsync(RealtimeConnection? connection)
    {
        if (connection is null)
        {
            return;
        }

        try
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
        {
        }
    }

    /// <summary>
    /// (6) Recycles the backend session before <c>Backend:SessionMaxAgeMinutes</c>: once the session is that old, at the first
    /// quiet moment (no response, turn or caller speech; checked every second) it is closed on purpose, and the backend loop
    /// regains a session with the same replay (journalled <c>BackendReconnected</c>, reason <c>session_age</c>).
    /// </summary>
    private async Task RunSessionRecycleAsync()
    {
        var maxAge = TimeSpan.FromMinutes(_options.Backend.SessionMaxAgeMinutes);
        if (maxAge <= TimeSpan.Zero || _remoteLeg is not null || _options.Backend.ReconnectBudgetSeconds <= 0)
        {
            return;
        }

        var token = _cts.Token;
        try
        {
            while (!token.IsCancellationRequested && EndReason is null)
            {
                var due = maxAge - _time.GetElapsedTime(_sessionStartedTimestamp);
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, _time, token).ConfigureAwait(false);
                    continue;
                }

                bool quiet;
                lock (_turnGate)
                {
                    quiet = !_turnActive && !_responseActive && !_userSpeaking && !_reconnecting && !_recycleRequested && _backendReady && !SayingGoodbye;
                }

                if (!quiet || _backend is not { } backend || !CanReconnect)
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), _time, token).ConfigureAwait(false);
                    continue;
                }

                _recycleRequested = true;
                CallLog.BackendRecycling(_logger, CallId, (long)_time.GetElapsedTime(_sessionStartedTimestamp).TotalMinutes);
                // A polite close: the backend answers it, the backend loop reads the close and regains a session.
                await backend.CloseAsync("session recycled").ConfigureAwait(false);
                await Task.Delay(TimeSpan.FromSeconds(1), _time, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
