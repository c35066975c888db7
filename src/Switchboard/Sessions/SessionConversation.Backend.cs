using System.Buffers;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Switchboard.Agents;
using Switchboard.Agents.Tools;
using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Calls;
using Switchboard.Journal;
using Switchboard.Transport;

namespace Switchboard.Sessions;

/// <summary>The backend side: connect, configure the session for the mode, greet, and relay the agent's text, audio and tool calls.</summary>
internal sealed partial class SessionConversation
{
    private static readonly JsonElement EmptyParameters = JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement.Clone();

    private readonly Dictionary<string, StringBuilder> _agentText = new(StringComparer.Ordinal);
    /// <summary>Final agent text per item (under <c>_voiceGate</c>: a barge-in completed by the client loop reads it).</summary>
    private readonly Dictionary<string, string> _agentFinals = new(StringComparer.Ordinal);
    private readonly List<FunctionCallArgumentsDoneEvent> _toolCalls = [];
    private ToolRunner? _toolRunnerInstance;
    private bool _userSpeaking;
    private RealtimeConnection? _backend;

    private async Task RunBackendAsync()
    {
        var token = _cts.Token;
        try
        {
            if (!await ConnectBackendAsync(token).ConfigureAwait(false))
            {
                return;
            }

            await ConfigureBackendAsync(token).ConfigureAwait(false);
            lock (_gate)
            {
                _backendReady = true;
            }

            await _outbox.SendStatusAsync(SessionStates.Idle, token).ConfigureAwait(false);
            await TryStartNextTurnAsync(token).ConfigureAwait(false);
            await ReceiveBackendAsync(token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The conversation is over.
        }
        catch (Exception ex)
        {
            SessionLog.UnexpectedFailure(_logger, SessionId, ex);
            await EndAsync(SessionCloseCodes.InternalError, "internal error", CallEndReason.InternalError, ex.GetType().Name).ConfigureAwait(false);
        }
    }

    private async Task<bool> ConnectBackendAsync(CancellationToken token)
    {
        var specBackend = _start.Endpoint.Spec.Backend;
        if (!SessionPolicy.BackendMatches(specBackend, _backendEndpoint.Kind))
        {
            var detail = $"the endpoint asks for backend '{specBackend}', which this gateway does not run (it runs '{_backendEndpoint.Kind}')";
            SessionLog.BackendUnavailable(_logger, SessionId, specBackend, detail);
            await BackendFailedAsync(SessionErrorCodes.BackendUnavailable, detail, "agent backend unavailable", CallEndReason.BackendUnavailable, token).ConfigureAwait(false);
            return false;
        }

        var options = _services.Options;
        try
        {
            _backend = await RealtimeConnection.ConnectAsync(_backendEndpoint, options.Bridge.MaxBackendMessageBytes,
                TimeSpan.FromSeconds(options.Backend.ConnectTimeoutSeconds), token).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (!token.IsCancellationRequested
            && ex is WebSocketException or IOException or OperationCanceledException or InvalidOperationException or HttpRequestException)
        {
            SessionLog.BackendUnavailable(_logger, SessionId, _backendEndpoint.Describe(), ex.Message);
            await BackendFailedAsync(SessionErrorCodes.BackendUnavailable, "the agent backend could not be reached", "agent backend unavailable",
                CallEndReason.BackendUnavailable, token, ex.Message).ConfigureAwait(false);
            return false;
        }
    }

    /// <summary>Tells the client why (an <c>error</c>), then closes with 1011: without a backend there is no conversation.</summary>
    private async Task BackendFailedAsync(string code, string message, string closeReason, string endReason, CancellationToken token, string? detail = null)
    {
        await _outbox.SendErrorAsync(new SessionError(code, message), token).ConfigureAwait(false);
        await EndAsync((int)WebSocketCloseStatus.InternalServerError, closeReason, endReason, detail ?? message).ConfigureAwait(false);
    }

    /// <summary>
    /// A GA session for the mode — text output only for <c>text</c>; PCM16 24 kHz audio for the spoken modes, with the
    /// endpoint's turn detection and transcription when the client sends audio — with the endpoint's (and flow's)
    /// instructions and tools (plus its browser actions in <c>browser_actions</c>); then the greeting.
    /// </summary>
    private async Task ConfigureBackendAsync(CancellationToken token)
    {
        var spec = _start.Endpoint.Spec;
        var options = _services.Options;
        var defaultModel = _backendEndpoint.Kind == "azure" ? options.Azure.Deployment ?? options.OpenAI.Model : options.OpenAI.Model;
        // Built-ins with their defaults; transfers are left out (a session has no phone line to transfer).
        var tools = BuiltInTools.Effective(spec).Where(t => !BuiltInTools.IsTransfer(t))
            .Select(t => new RealtimeToolDefinition(t.Name, t.Description ?? "", t.Parameters ?? EmptyParameters));
        if (Mode == InteractionModes.BrowserActions)
        {
            tools = tools.Concat((spec.BrowserActions ?? []).Select(a => new RealtimeToolDefinition(a.Name, a.Description ?? "", a.Parameters ?? EmptyParameters)));
        }

        var settings = new RealtimeSessionSettings
        {
            Model = string.IsNullOrWhiteSpace(spec.Model) ? defaultModel : spec.Model,
            Instructions = SessionPolicy.Instructions(spec, _start.Flow),
            Voice = spec.Voice,
            OutputModality = Speaks ? "audio" : "text",
            InputFormat = BackendAudio,
            OutputFormat = BackendAudio,
            // audio_playback takes typed turns only: no microphone, so no voice detection and nothing to transcribe.
            TurnDetection = TakesAudio ? spec.TurnDetection.Type : "none",
            VadThreshold = spec.TurnDetection.Threshold,
            PrefixPaddingMs = spec.TurnDetection.PrefixPaddingMs,
            SilenceDurationMs = spec.TurnDetection.SilenceDurationMs,
            TranscriptionModel = TakesAudio ? spec.Transcription.Model : null,
            TranscriptionLanguage = spec.Transcription.Language,
            Tools = tools.ToList(),
        };
        await SendBackendAsync(w => RealtimeClientEvents.WriteSessionUpdate(w, settings), token).ConfigureAwait(false);

        if (SessionPolicy.Greeting(spec, _start.Flow) is not { } greeting)
        {
            return;
        }

        if (Speaks)
        {
            // Spoken like any answer (its transcript arrives as the agent's first turn); typed turns wait until it is done.
            string eventId;
            lock (_gate)
            {
                _turnActive = true;
                eventId = _turnEventId = "sb_greeting";
            }

            await SendBackendAsync(w => RealtimeClientEvents.WriteResponseCreate(w, $"Greet the user by saying exactly: \"{greeting}\"", eventId), token).ConfigureAwait(false);
            return;
        }

        // Shown as said, and added to the conversation as the assistant's first message so the model knows it.
        var itemId = NewItemId();
        await SendBackendAsync(w => RealtimeClientEvents.WriteAssistantText(w, greeting, itemId), token).ConfigureAwait(false);
        await _outbox.SendTranscriptAsync("agent", greeting, final: true, itemId, token).ConfigureAwait(false);
        Record(CallEventType.AgentTurn, role: "agent", text: greeting, itemId: itemId);
    }

    private async Task ReceiveBackendAsync(CancellationToken token)
    {
        var backend = _backend!;
        while (true)
        {
            ReceiveStatus status;
            try
            {
                status = await backend.ReceiveAsync(token).ConfigureAwait(false);
            }
            catch (Exception ex) when (!token.IsCancellationRequested && ex is WebSocketException or IOException)
            {
                status = ReceiveStatus.Closed;
            }

            if (status is ReceiveStatus.Closed or ReceiveStatus.TooLarge)
            {
                if (Volatile.Read(ref _endReason) is null)
                {
                    SessionLog.BackendDisconnected(_logger, SessionId, backend.CloseStatus?.ToString(), backend.CloseStatusDescription);
                    await BackendFailedAsync(SessionErrorCodes.BackendDisconnected, "the agent backend closed the connection", "agent backend disconnected",
                        CallEndReason.BackendDisconnected, token, $"{backend.CloseStatus} {backend.CloseStatusDescription}".Trim()).ConfigureAwait(false);
                }

                return;
            }

            if (status != ReceiveStatus.Text)
            {
                continue;
            }

            // Agent audio dominates the traffic of spoken modes: forward it without parsing the event.
            var fast = Speaks ? ScanFastPath(backend.Message.Span) : FastPath.None;
            if (fast == FastPath.SendAudio)
            {
                await SendAgentAudioAsync(token).ConfigureAwait(false);
                continue;
            }

            if (fast == FastPath.DropAudio)
            {
                continue;
            }

            if (fast == FastPath.SpeechStarted)
            {
                // Stop the agent before anything else; the event is journalled by the general handler below.
                await OnSpeechStartedAsync(token).ConfigureAwait(false);
            }

            await HandleBackendEventAsync(backend.Message, token).ConfigureAwait(false);
        }
    }

    private enum FastPath
    {
        None,
        SendAudio,
        DropAudio,
        SpeechStarted,
    }

    // Synchronous because the scanned header holds spans into the message, which cannot live across an await
    // (debug builds keep every local alive to the end of its scope, so the check must not share a method with one).
    private FastPath ScanFastPath(ReadOnlySpan<byte> message)
    {
        if (!RealtimeEventScanner.TryScan(message, out var header))
        {
            return FastPath.None;
        }

        if (header.Type == RealtimeServerEventType.OutputAudioDelta)
        {
            return PrepareAgentAudio(ref header) ? FastPath.SendAudio : FastPath.DropAudio;
        }

        return header.Type == RealtimeServerEventType.SpeechStarted ? FastPath.SpeechStarted : FastPath.None;
    }

    private async Task HandleBackendEventAsync(ReadOnlyMemory<byte> message, CancellationToken token)
    {
        var evt = RealtimeEventParser.Parse(message.Span);
        if (IsSummaryEvent(evt))
        {
            return;
        }

        switch (evt)
        {
            // A text session answers with output_text, a spoken one with output_audio_transcript; both are relayed the same way.
            case OutputTextEvent { Type: RealtimeServerEventType.OutputTextDelta or RealtimeServerEventType.OutputAudioTranscriptDelta } delta:
                if (IsSuppressed(delta.ItemId))
                {
                    break;
                }

                if (!_agentText.TryGetValue(delta.ItemId, out var soFar))
                {
                    _agentText[delta.ItemId] = soFar = new StringBuilder();
                }

                soFar.Append(delta.Text);
                await _outbox.SendTranscriptAsync("agent", delta.Text, final: false, delta.ItemId, token).ConfigureAwait(false);
                break;
            case OutputTextEvent { Type: RealtimeServerEventType.OutputTextDone or RealtimeServerEventType.OutputAudioTranscriptDone } done:
                var text = done.Text.Length > 0 ? done.Text : (_agentText.TryGetValue(done.ItemId, out var streamed) ? streamed.ToString() : "");
                _agentText.Remove(done.ItemId);
                await FinishAgentTurnAsync(done.ItemId, text, token).ConfigureAwait(false);
                break;
            case ResponseCreatedEvent created:
                _responseId = created.ResponseId;
                _responseActive = true;
                _speakingSent = false;
                OnEndResponseCreated(created.ResponseId);
                break;
            case OutputAudioDoneEvent audioDone:
                await OnAgentAudioDoneAsync(audioDone.ItemId, token).ConfigureAwait(false);
                break;
            case SpeechStartedEvent started:
                // The barge-in itself already ran on the fast path.
                _userSpeaking = true;
                Record(CallEventType.CallerSpeechStarted, itemId: started.ItemId);
                break;
            case SpeechStoppedEvent:
                _userSpeaking = false;
                await _outbox.SendStatusAsync(SessionStates.Thinking, token).ConfigureAwait(false);
                break;
            case InputTranscriptionCompletedEvent heard:
                await _outbox.SendTranscriptAsync("user", heard.Transcript, final: true, heard.ItemId, token).ConfigureAwait(false);
                Record(CallEventType.CallerTurn, role: "caller", text: heard.Transcript, itemId: heard.ItemId);
                break;
            case FunctionCallArgumentsDoneEvent call:
                _toolCalls.Add(call);
                break;
            case ResponseDoneEvent done:
                await OnResponseDoneAsync(done, token).ConfigureAwait(false);
                break;
            case RealtimeErrorEvent error:
                await OnBackendErrorAsync(error, token).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>Whether a barge-in cut this item off: the rest of its transcript was never heard, so it is not shown.</summary>
    private bool IsSuppressed(string itemId)
    {
        var suppressed = _suppressedItemUtf8;
        return suppressed.Length > 0 && suppressed.Length == System.Text.Encoding.UTF8.GetByteCount(itemId)
            && System.Text.Encoding.UTF8.GetBytes(itemId).AsSpan().SequenceEqual(suppressed);
    }

    /// <summary>The agent's whole text for an item: shown as final and journalled as its turn, marked if it was cut off.</summary>
    private async Task FinishAgentTurnAsync(string itemId, string text, CancellationToken token)
    {
        bool interrupted;
        long heardMs;
        lock (_voiceGate)
        {
            _agentFinals[itemId] = text;
            interrupted = _interruptedItems.TryGetValue(itemId, out heardMs);
        }

        await SendAgentFinalAsync(itemId, text, interrupted, heardMs, token).ConfigureAwait(false);
        Record(CallEventType.AgentTurn, role: "agent", text: text, itemId: itemId, interrupted: interrupted ? true : null, heardMs: interrupted ? heardMs : null);
    }

    private ValueTask<bool> SendAgentFinalAsync(string itemId, string text, bool interrupted, long heardMs, CancellationToken token) =>
        _outbox.SendAsync(SessionMessageTypes.Transcript, (itemId, text, interrupted, heardMs), static (w, s) =>
        {
            w.WriteString("role"u8, "agent"u8);
            w.WriteString("text"u8, s.text);
            w.WriteBoolean("final"u8, true);
            w.WriteString("itemId"u8, s.itemId);
            if (s.interrupted)
            {
                w.WriteBoolean("interrupted"u8, true);
                w.WriteNumber("heardMs"u8, s.heardMs);
            }
        }, token);

    private async Task OnResponseDoneAsync(ResponseDoneEvent done, CancellationToken token)
    {
        if (string.Equals(done.ResponseId, _responseId, StringComparison.Ordinal))
        {
            _responseActive = false;
        }

        // A cancelled response may never send its transcript's done: journal what was said of each item as its turn.
        foreach (var itemId in _agentText.Keys.ToList())
        {
            var partial = _agentText[itemId].ToString();
            _agentText.Remove(itemId);
            await FinishAgentTurnAsync(itemId, partial, token).ConfigureAwait(false);
        }

        // An end_call waiting for this goodbye may go ahead (its final transcript has been sent).
        OnEndResponseDone(done.ResponseId);

        if (done.Usage is { } usage)
        {
            Record(CallEventType.Usage, reason: done.Status, data: new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["response_id"] = done.ResponseId,
                ["total_tokens"] = usage.TotalTokens.ToString(CultureInfo.InvariantCulture),
                ["input_tokens"] = usage.InputTokens.ToString(CultureInfo.InvariantCulture),
                ["output_tokens"] = usage.OutputTokens.ToString(CultureInfo.InvariantCulture),
                ["input_audio_tokens"] = usage.InputAudioTokens.ToString(CultureInfo.InvariantCulture),
                ["output_audio_tokens"] = usage.OutputAudioTokens.ToString(CultureInfo.InvariantCulture),
            });
        }

        var calls = _toolCalls.Where(c => string.Equals(c.ResponseId, done.ResponseId, StringComparison.Ordinal)).ToList();
        _toolCalls.RemoveAll(c => string.Equals(c.ResponseId, done.ResponseId, StringComparison.Ordinal));
        // Only a completed response's function calls run (a cancelled or failed one must have no side effects);
        // the turn goes on with the response that answers their outputs.
        if (calls.Count > 0 && done.Status == "completed")
        {
            _ = RunToolsAsync(calls, token);
            return;
        }

        if (done.Status is "failed" or "incomplete")
        {
            var why = done.StatusReason is null ? "" : $" ({done.StatusReason})";
            await ReplyErrorAsync(new SessionError(SessionErrorCodes.ResponseFailed, $"the agent's response ended as {done.Status}{why}"), token).ConfigureAwait(false);
        }

        if (!await EndTurnAsync(token).ConfigureAwait(false) && Speaks)
        {
            // A response the backend started by itself (voice detection) has no queued turn to end; a turn typed
            // meanwhile has waited for it and starts now. While the user is still talking (the response was cancelled
            // by a barge-in) the state stays "listening" rather than flickering to idle.
            if (!_userSpeaking)
            {
                await _outbox.SendStatusAsync(SessionStates.Idle, token).ConfigureAwait(false);
            }

            await TryStartNextTurnAsync(token).ConfigureAwait(false);
        }
    }

    /// <summary>The endpoint's tools for this connection (validation, timeouts, once per call_id).</summary>
    private ToolRunner EndpointTools => _toolRunnerInstance ??= new ToolRunner(BuiltInTools.Effective(_start.Endpoint.Spec), new SessionToolInvoker(this, _services.Tools), _time, _logger,
        new ToolCallContext(_start.Session.TeamId, _start.Session.EndpointId, Transports.WebSocket, null));

    private async Task RunToolsAsync(List<FunctionCallArgumentsDoneEvent> calls, CancellationToken token)
    {
        try
        {
            foreach (var call in calls)
            {
                string result;
                string status;
                var isAction = IsBrowserAction(call.Name);
                try
                {
                    if (isAction)
                    {
                        result = await RunBrowserActionAsync(call, token).ConfigureAwait(false);
                        status = result.StartsWith("{\"ok\":true", StringComparison.Ordinal) ? "ok" : "action_failed";
                    }
                    else
                    {
                        var outcome = await EndpointTools.RunAsync(CallId, call.CallId, call.Name, call.Arguments, token).ConfigureAwait(false);
                        (result, status) = (outcome.OutputJson, outcome.Status);
                    }
                }
                catch (Exception ex) when (!token.IsCancellationRequested)
                {
                    SessionLog.ToolFailed(_logger, SessionId, call.Name, ex.GetType().Name);
                    (result, status) = ("{\"error\":\"tool_failed\"}", "tool_failed");
                }

                Record(CallEventType.ToolCall, text: call.Name, detail: result, reason: status, data: new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["call_id"] = call.CallId,
                    ["arguments"] = call.Arguments,
                    ["kind"] = isAction ? "browser_action" : "tool",
                });
                await SendBackendAsync(w => RealtimeClientEvents.WriteFunctionCallOutput(w, call.CallId, result), token).ConfigureAwait(false);
            }

            string eventId;
            lock (_gate)
            {
                eventId = _turnEventId = "sb_turn_" + (++_turnCounter).ToString(CultureInfo.InvariantCulture);
            }

            StartArmedEnd(token);
            await SendBackendAsync(w => RealtimeClientEvents.WriteResponseCreate(w, eventId: eventId), token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    private async Task OnBackendErrorAsync(RealtimeErrorEvent error, CancellationToken token)
    {
        // Cancelling a response that already ended is harmless.
        if (error.Code is "response_cancel_not_active")
        {
            return;
        }

        SessionLog.BackendError(_logger, SessionId, error.ErrorType, error.Code, error.Message);
        Record(CallEventType.BackendError, reason: error.Code ?? error.ErrorType, detail: error.Message);
        await _outbox.SendErrorAsync(new SessionError(SessionErrorCodes.BackendError, error.Message), token, error.Code ?? error.ErrorType).ConfigureAwait(false);

        // A refused response.create produces no response.done: the turn is over.
        bool refused;
        lock (_gate)
        {
            refused = _turnActive && error.ClientEventId is not null && string.Equals(error.ClientEventId, _turnEventId, StringComparison.Ordinal);
        }

        if (refused)
        {
            await EndTurnAsync(token).ConfigureAwait(false);
        }
    }

    /// <summary>Writes one client event and sends it (text sessions send a few small events per turn, so a fresh buffer is fine).</summary>
    private async Task SendBackendAsync(Action<IBufferWriter<byte>> write, CancellationToken token)
    {
        var backend = _backend;
        if (backend is null)
        {
            return;
        }

        var buffer = new ArrayBufferWriter<byte>(512);
        write(buffer);
        await backend.SendAsync(buffer.WrittenMemory, token).ConfigureAwait(false);
    }
}
