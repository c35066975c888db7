using System.Buffers;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Journal;
using Switchboard.Transport;

namespace Switchboard.Calls;

/// <summary>(5) The backend loop: agent audio on the fast path, then every other event — transcripts, responses, tools, errors.</summary>
internal sealed partial class CallBridge
{
    private readonly List<FunctionCallArgumentsDoneEvent> _pendingToolCalls = [];

    // Written by the backend loop, read by the caller loop (a client's interrupt, a typed turn).
    private volatile string? _responseId;
    private volatile bool _responseActive;
    private bool _speakingShown;

    /// <summary>The backend has confirmed its session (<c>session.updated</c>); the milestone is logged once.</summary>
    private bool _backendConfirmed;
    private bool _userSpeaking;

    /// <summary>The agent leg closed under the call (no summary can be asked of it any more).</summary>
    private volatile bool _backendClosed;

    /// <summary>(5) Reads each backend session in turn: a session that drops is regained (<see cref="ReconnectAsync"/>) and read on.</summary>
    private async Task RunBackendLoopAsync()
    {
        var token = _cts.Token;
        while (_backend is { } backend)
        {
            var drop = await ReadBackendAsync(backend, token).ConfigureAwait(false);
            if (drop is not { } why)
            {
                return;
            }

            try
            {
                if (!await ReconnectAsync(backend, why.Reason, why.Detail, token).ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                CallLog.UnexpectedFailure(_logger, CallId, ex);
                await EndAsync(CallEndReason.InternalError, ex.GetType().Name, "internal error").ConfigureAwait(false);
                return;
            }
        }
    }

    /// <summary>
    /// Reads one backend session until the call ends (null) or the session drops and can be regained (why: the reason
    /// and what the socket said). A drop that cannot be survived ends the call here, as before reconnecting existed.
    /// </summary>
    private async Task<(string Reason, string Detail)?> ReadBackendAsync(RealtimeConnection backend, CancellationToken token)
    {
        try
        {
            while (!token.IsCancellationRequested)
            {
                var status = await backend.ReceiveAsync(token).ConfigureAwait(false);
                if (status is ReceiveStatus.Closed or ReceiveStatus.TooLarge)
                {
                    if (EndReason is not null)
                    {
                        // We closed it ourselves because the call is ending.
                        return null;
                    }

                    var description = status == ReceiveStatus.TooLarge ? "backend message too large" : backend.CloseStatusDescription;
                    if (_remoteLeg is not null && status == ReceiveStatus.Closed)
                    {
                        await RemoteCallEndedAsync(backend.CloseStatus is not null, $"{backend.CloseStatus} {description}".Trim()).ConfigureAwait(false);
                        return null;
                    }

                    if (status == ReceiveStatus.Closed && _recycleRequested && CanReconnect)
                    {
                        return (ReconnectReasons.SessionAge, "session recycled");
                    }

                    if (status == ReceiveStatus.Closed && CanReconnect)
                    {
                        return (ReconnectReasons.Dropped, $"closed {backend.CloseStatus} {description}".Trim());
                    }

                    CallLog.BackendDisconnected(_logger, CallId, backend.CloseStatus?.ToString(), description);
                    await BackendFailedAsync(CallerErrorCodes.BackendDisconnected, "the agent backend closed the connection", CallEndReason.BackendDisconnected,
                        $"{backend.CloseStatus} {description}".Trim(), token).ConfigureAwait(false);
                    return null;
                }

                if (status == ReceiveStatus.Binary)
                {
                    continue;
                }

                _messageTimestamp = _time.GetTimestamp();
                if (PrepareAgentAudio(backend.Message.Span, out var handled, out var type))
                {
                    await SendAgentAudioAsync(token).ConfigureAwait(false);
                }
                else if (!handled)
                {
                    if (type == RealtimeServerEventType.SpeechStarted)
                    {
                        // The caller is talking over the agent: stop the audio before anything else (parsing, journaling).
                        _userSpeaking = true;
                        await ShowStateAsync(CallerStates.Listening, token).ConfigureAwait(false);
                        // Where the backend holds the media it stops its own audio (its voice detection interrupts the response).
                        if (_remoteLeg is null)
                        {
                            await BargeInAsync("user_speech", null, -1, onBackendLoop: true, token).ConfigureAwait(false);
                        }
                    }

                    await HandleBackendEventAsync(backend.Message, token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // (A socket aborted under its read — a ping left unanswered past Backend:KeepAliveTimeoutSeconds — throws
            // OperationCanceledException "Aborted" although the call's token was not cancelled.)
            if (EndReason is null && _remoteLeg is not null)
            {
                await RemoteCallEndedAsync(closeFrame: false, ex.Message).ConfigureAwait(false);
            }
            else if (EndReason is null && CanReconnect)
            {
                // Aborted without a close frame (a reset, a dead peer, a ping left unanswered): a drop like any other.
                return (_recycleRequested ? ReconnectReasons.SessionAge : ReconnectReasons.Dropped, "aborted: " + ex.Message);
            }
            else if (EndReason is null)
            {
                CallLog.BackendDisconnected(_logger, CallId, "aborted", ex.Message);
                await BackendFailedAsync(CallerErrorCodes.BackendDisconnected, "the agent backend closed the connection", CallEndReason.BackendDisconnected, ex.Message, token)
                    .ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            CallLog.UnexpectedFailure(_logger, CallId, ex);
            await EndAsync(CallEndReason.InternalError, ex.GetType().Name, "internal error").ConfigureAwait(false);
        }

        return null;
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
            case SessionEvent { Type: RealtimeServerEventType.SessionUpdated } session:
                if (!_backendConfirmed)
                {
                    _backendConfirmed = true;
                    CallMilestones.BackendReady(_logger, CallId, SinceStartMs);
                }

                // Where the backend holds the media, the SIP negotiation chose the format: nothing to compare.
                if (session.OutputFormat is { } actual && actual != _backendFormat && Speaks && _remoteLeg is null)
                {
                    CallLog.BackendFormatMismatch(_logger, CallId, actual.ToString(), _backendFormat.ToString());
                }

                break;
            case SpeechStartedEvent started:
                // The barge-in itself already ran on the fast path (before this parse).
                NoteActivity();
                _trace?.SpeechStarted();
                Record(CallEventType.CallerSpeechStarted, itemId: started.ItemId);
                break;
            case SpeechStoppedEvent:
                NoteActivity();
                _speechStoppedTimestamp = _messageTimestamp;
                _userSpeaking = false;
                _trace?.SpeechStopped();
                await ShowStateAsync(CallerStates.Thinking, token).ConfigureAwait(false);
                break;
            case InputTranscriptionCompletedEvent heard:
                NoteActivity();
                await _leg.ShowTranscriptAsync("user", heard.Transcript, final: true, heard.ItemId, null, token).ConfigureAwait(false);
                Record(CallEventType.CallerTurn, role: "caller", text: heard.Transcript, itemId: heard.ItemId);
                break;
            case ResponseCreatedEvent created:
                _remotePlayout?.OnResponseCreated(created.ResponseId);
                _responseId = created.ResponseId;
                _responseActive = true;
                _speakingShown = false;
                _trace?.ResponseCreated(created.ResponseId);
                OnControlResponseCreated(created.ResponseId);
                OnLimitResponseCreated(created.ResponseId);
                break;
            case OutputAudioDoneEvent done:
                // The item's audio is complete (an interrupted item's end is no news to the leg, which has stopped it).
                if (_audioItem is not null && string.Equals(done.ItemId, _audioItem, StringComparison.Ordinal) && !IsSuppressed(done.ItemId))
                {
                    await _leg.AgentAudioDoneAsync(done.ItemId, _audioItemGeneratedBytes / _leg.Format.BytesPerMs, token).ConfigureAwait(false);
                }

                break;
            // A text answer comes as output_text, a spoken one as output_audio_transcript; both are the agent's turn.
            case OutputTextEvent { Type: RealtimeServerEventType.OutputTextDelta or RealtimeServerEventType.OutputAudioTranscriptDelta } delta:
                if (IsSuppressed(delta.ItemId))
                {
                    break;
                }

                lock (_turnGate)
                {
                    if (!_agentText.TryGetValue(delta.ItemId, out var soFar))
                    {
                        _agentText[delta.ItemId] = soFar = new StringBuilder();
                    }

                    soFar.Append(delta.Text);
                }

                _remotePlayout?.OnTranscript(delta.ResponseId, delta.Text);

                await _leg.ShowTranscriptAsync("agent", delta.Text, final: false, delta.ItemId, null, token).ConfigureAwait(false);
                break;
            case OutputTextEvent { Type: RealtimeServerEventType.OutputTextDone or RealtimeServerEventType.OutputAudioTranscriptDone } done:
                string text;
                lock (_turnGate)
                {
                    text = done.Text.Length > 0 ? done.Text : (_agentText.TryGetValue(done.ItemId, out var streamed) ? streamed.ToString() : "");
                    _agentText.Remove(done.ItemId);
                }

                await FinishAgentTurnAsync(done.ItemId, text, token).ConfigureAwait(false);
                break;
            case FunctionCallArgumentsDoneEvent call:
                _pendingToolCalls.Add(call);
                break;
            case ResponseDoneEvent done:
                await OnResponseDoneAsync(done, token).ConfigureAwait(false);
                break;
            case RealtimeErrorEvent error:
                await OnBackendErrorAsync(error, token).ConfigureAwait(false);
                break;
            case OutputAudioBufferEvent { Type: RealtimeServerEventType.OutputAudioBufferStarted } playing:
                _remotePlayout?.OnBufferStarted(playing.ResponseId);
                break;
            case OutputAudioBufferEvent played:
                _remotePlayout?.OnBufferStopped(played.ResponseId);
                break;
            case DtmfReceivedEvent dtmf when dtmf.Digit.Length > 0:
                // A key the caller pressed, reported by a backend that holds the media (SIP).
                NoteActivity();
                Record(CallEventType.Dtmf, digit: dtmf.Digit);
                break;
        }
    }

    /// <summary>Whether a barge-in cut this item off: the rest of its transcript was never heard, so it is not shown.</summary>
    private bool IsSuppressed(string itemId)
    {
        var suppressed = _suppressedItemUtf8;
        return suppressed.Length > 0 && suppressed.Length == Encoding.UTF8.GetByteCount(itemId)
            && Encoding.UTF8.GetBytes(itemId).AsSpan().SequenceEqual(suppressed);
    }

    /// <summary>The agent's whole text for an item: shown as final and journalled as its turn, marked if it was cut off.</summary>
    private async Task FinishAgentTurnAsync(string itemId, string text, CancellationToken token)
    {
        bool interrupted;
        long heardMs;
        lock (_turnGate)
        {
            if (_capabilities.HasFlag(CallerLegCapabilities.ShowsText))
            {
                _agentFinals[itemId] = text;
            }

            interrupted = _interruptedItems.TryGetValue(itemId, out heardMs);
        }

        await _leg.ShowTranscriptAsync("agent", text, final: true, itemId, interrupted ? heardMs : null, token).ConfigureAwait(false);
        Record(CallEventType.AgentTurn, role: "agent", text: text, itemId: itemId, interrupted: interrupted, heardMs: interrupted ? heardMs : null);
    }

    private async Task OnResponseDoneAsync(ResponseDoneEvent done, CancellationToken token)
    {
        // Before the armed actions look: they wait for this response's audio to be heard.
        _remotePlayout?.OnResponseDone(done.ResponseId, done.Usage);
        if (string.Equals(done.ResponseId, _responseId, StringComparison.Ordinal))
        {
            _responseActive = false;
        }

        // A cancelled response may never send its transcript's done: journal what was said of each item as its turn.
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

        // An end or transfer waiting for this response may go ahead (its final transcript has been shown).
        OnControlResponseDone(done.ResponseId);
        OnLimitResponseDone(done.ResponseId, done.Usage);
        _trace?.ResponseDone(done.ResponseId, done.Status, done.Usage);
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
                ["cached_tokens"] = usage.InputCachedTokens.ToString(CultureInfo.InvariantCulture),
            });
        }

        var calls = _pendingToolCalls.Where(c => string.Equals(c.ResponseId, done.ResponseId, StringComparison.Ordinal)).ToList();
        _pendingToolCalls.RemoveAll(c => string.Equals(c.ResponseId, done.ResponseId, StringComparison.Ordinal));
        // Only a completed response's function calls run (a cancelled or failed one must have no side effects);
        // the turn goes on with the response that answers their outputs.
        if (calls.Count > 0 && done.Status == "completed")
        {
            // The turn goes on until the response that answers the outputs is done, also when voice detection started
            // it: a turn typed meanwhile waits (its response.create would race the tools' and be refused).
            lock (_turnGate)
            {
                _turnActive = true;
            }

            _ = RunToolsAsync(calls, token);
            return;
        }

        if (done.Status is "failed" or "incomplete")
        {
            var why = done.StatusReason is null ? "" : $" ({done.StatusReason})";
            await _leg.ShowErrorAsync(CallerErrorCodes.ResponseFailed, $"the agent's response ended as {done.Status}{why}", null, token).ConfigureAwait(false);
        }

        if (!await EndTurnAsync(token).ConfigureAwait(false) && Speaks)
        {
            // A response the backend started by itself (voice detection) has no queued turn to end; a turn typed
            // meanwhile has waited for it and starts now. While the caller is still talking (the response was cancelled
            // by a barge-in) the state stays "listening" rather than flickering to idle.
            if (!_userSpeaking)
            {
                await ShowStateAsync(CallerStates.Idle, token).ConfigureAwait(false);
            }

            await TryStartNextTurnAsync(token).ConfigureAwait(false);
        }
    }

    private async Task OnBackendErrorAsync(RealtimeErrorEvent error, CancellationToken token)
    {
        // Cancelling a response the server already stopped (voice detection races our cancel) is expected.
        if (error.Code is "response_cancel_not_active")
        {
            CallLog.BenignBackendError(_logger, CallId, error.Code, error.Message);
            return;
        }

        CallLog.BackendError(_logger, CallId, error.ErrorType, error.Code, error.Message);
        Record(CallEventType.BackendError, reason: error.Code ?? error.ErrorType, detail: error.Message);
        await _leg.ShowErrorAsync(CallerErrorCodes.BackendError, error.Message, error.Code ?? error.ErrorType, token).ConfigureAwait(false);

        // A refused response.create produces no response.done: the turn is over.
        bool refused;
        lock (_turnGate)
        {
            refused = _turnActive && error.ClientEventId is not null && string.Equals(error.ClientEventId, _turnEventId, StringComparison.Ordinal);
        }

        if (refused)
        {
            await EndTurnAsync(token).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The agent leg of a call whose media the backend holds closed (the SIP connector's sideband): the call is over.
    /// Without a close frame the caller hung up (the connector ends the sideband that way); with one, the connector ended
    /// the call (the leg's lost reason), and the leg hangs up in case the call still runs without its control plane.
    /// </summary>
    private async Task RemoteCallEndedAsync(bool closeFrame, string detail)
    {
        _backendClosed = true;
        CallLog.RemoteCallEnded(_logger, CallId, closeFrame ? "closed" : "dropped", detail);
        if (closeFrame)
        {
            await EndAsync(_leg.LostEndReason, "the call's sideband was closed: " + detail, "sideband closed").ConfigureAwait(false);
        }
        else
        {
            await EndAsync(CallEndReason.CallerHangup, "the caller hung up (the call's sideband closed without a close frame)", "caller hung up").ConfigureAwait(false);
        }
    }

    /// <summary>Waits until the caller has heard the agent's audio: the leg's playout, or the backend's where it holds the media.</summary>
    private Task WaitForPlayoutAsync(TimeSpan cap, CancellationToken token) =>
        _remotePlayout is { } remote ? remote.WaitAsync(cap, token) : _leg.WaitForPlayoutAsync(cap, token);

    /// <summary>Shows the agent's state where the leg shows it (a no-op on a phone line).</summary>
    private ValueTask ShowStateAsync(string state, CancellationToken token) =>
        _capabilities.HasFlag(CallerLegCapabilities.ShowsText) ? _leg.ShowStateAsync(state, token) : ValueTask.CompletedTask;

    /// <summary>Sends one client event to the backend (the socket serializes senders); false when it is gone.</summary>
    private ValueTask<bool> SendToBackendAsync(ReadOnlyMemory<byte> message, CancellationToken token) =>
        _backend is { } backend ? backend.SendAsync(message, token) : ValueTask.FromResult(false);

    /// <summary>Writes one client event and sends it (a few small events per turn: a fresh buffer is fine).</summary>
    private async Task SendToBackendAsync(Action<IBufferWriter<byte>> write, CancellationToken token)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        write(buffer);
        await SendToBackendAsync(buffer.WrittenMemory, token).ConfigureAwait(false);
    }
}
