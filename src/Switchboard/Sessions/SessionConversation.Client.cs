using System.Net.WebSockets;
using Switchboard.Calls;
using Switchboard.Journal;
using Switchboard.Transport;

namespace Switchboard.Sessions;

/// <summary>The client side: reading messages, typed turns and the turn queue.</summary>
internal sealed partial class SessionConversation
{
    private readonly Lock _gate = new();
    private readonly Queue<PendingTurn> _pending = new();
    private bool _backendReady;
    private bool _turnActive;
    private string? _turnEventId;
    private int _turnCounter;

    private async Task RunClientLoopAsync()
    {
        var token = _cts.Token;
        while (true)
        {
            ReceiveStatus status;
            try
            {
                status = await _clientReader.ReadAsync(token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
            {
                // The client vanished without a close frame, or it never answered ours.
                Interlocked.CompareExchange(ref _endReason, CallEndReason.CarrierClosed, null);
                _endDetail ??= "connection lost";
                return;
            }

            switch (status)
            {
                case ReceiveStatus.Closed:
                    await EndAsync((int)WebSocketCloseStatus.NormalClosure, "", CallEndReason.CarrierClosed, "client closed the connection").ConfigureAwait(false);
                    return;
                case ReceiveStatus.TooLarge:
                    var limit = _services.Options.Sessions.MaxMessageBytes;
                    await EndAsync((int)WebSocketCloseStatus.MessageTooBig, $"message exceeds {limit} bytes", CallEndReason.CarrierProtocolError).ConfigureAwait(false);
                    return;
                case ReceiveStatus.Binary:
                    await ReplyErrorAsync(new SessionError(SessionErrorCodes.BinaryNotSupported, "binary messages are not supported; send JSON text"), token).ConfigureAwait(false);
                    continue;
            }

            if (Volatile.Read(ref _endReason) is not null)
            {
                // Closing: only the client's close frame matters now.
                continue;
            }

            await HandleClientMessageAsync(_clientReader.Message, token).ConfigureAwait(false);
        }
    }

    private async Task HandleClientMessageAsync(ReadOnlyMemory<byte> message, CancellationToken token)
    {
        // Microphone audio is most of the traffic in voice modes: recognised without building a document.
        switch (TryPrepareClientAudio(message.Span, out var audioError))
        {
            case SessionAudioScan.Audio:
                await SendClientAudioAsync(token).ConfigureAwait(false);
                return;
            case SessionAudioScan.Invalid:
                await ReplyErrorAsync(audioError!, token).ConfigureAwait(false);
                return;
        }

        if (!SessionClientMessages.TryParse(message, out var parsed, out var error))
        {
            await ReplyErrorAsync(error!, token).ConfigureAwait(false);
            return;
        }

        switch (parsed.Kind)
        {
            case SessionClientMessageKind.Ping:
                await _outbox.SendAsync(SessionMessageTypes.Pong, 0, static (_, _) => { }, token).ConfigureAwait(false);
                break;
            case SessionClientMessageKind.Hangup:
                await EndAsync((int)WebSocketCloseStatus.NormalClosure, "hangup", CallEndReason.CallerHangup).ConfigureAwait(false);
                break;
            case SessionClientMessageKind.Text:
                await OnUserTextAsync(parsed.Text!, token).ConfigureAwait(false);
                break;
            case SessionClientMessageKind.Playback:
                await OnPlaybackAsync(parsed, token).ConfigureAwait(false);
                break;
            case SessionClientMessageKind.Interrupt:
                await OnClientInterruptAsync(parsed, token).ConfigureAwait(false);
                break;
            case SessionClientMessageKind.ActionResult:
                await OnActionResultAsync(parsed, token).ConfigureAwait(false);
                break;
        }
    }

    private ValueTask<bool> ReplyErrorAsync(SessionError error, CancellationToken token)
    {
        SessionLog.ClientError(_logger, SessionId, error.Code);
        return _outbox.SendErrorAsync(error, token);
    }

    /// <summary>Echoes the user's turn as a final transcript, journals it, and queues it for the agent.</summary>
    private async Task OnUserTextAsync(string text, CancellationToken token)
    {
        bool full;
        lock (_gate)
        {
            full = _pending.Count >= MaxPendingTurns;
        }

        if (full)
        {
            await ReplyErrorAsync(new SessionError(SessionErrorCodes.TooManyPending, $"{MaxPendingTurns} turns are already waiting; wait for status idle"), token).ConfigureAwait(false);
            return;
        }

        var itemId = NewItemId();
        await _outbox.SendTranscriptAsync("user", text, final: true, itemId, token).ConfigureAwait(false);
        Record(CallEventType.CallerTurn, role: "caller", text: text, itemId: itemId);
        lock (_gate)
        {
            _pending.Enqueue(new PendingTurn(itemId, text));
        }

        await TryStartNextTurnAsync(token).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts the next queued turn when the backend is ready and no turn is running: the user message, then
    /// <c>response.create</c>, tagged with an event id so a backend error about it can be matched to the turn.
    /// </summary>
    private async Task TryStartNextTurnAsync(CancellationToken token)
    {
        PendingTurn turn;
        string eventId;
        lock (_gate)
        {
            // _responseActive: in the spoken modes the backend starts responses by itself (voice detection); a second
            // response.create while one runs would be refused (conversation_already_has_active_response).
            if (!_backendReady || _turnActive || _responseActive || Volatile.Read(ref _endReason) is not null || !_pending.TryDequeue(out turn))
            {
                return;
            }

            _turnActive = true;
            eventId = _turnEventId = "sb_turn_" + (++_turnCounter).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        await _outbox.SendStatusAsync(SessionStates.Thinking, token).ConfigureAwait(false);
        await SendBackendAsync(w => Backends.OpenAIRealtime.RealtimeClientEvents.WriteUserText(w, turn.Text, turn.ItemId, eventId + "_item"), token).ConfigureAwait(false);
        await SendBackendAsync(w => Backends.OpenAIRealtime.RealtimeClientEvents.WriteResponseCreate(w, eventId: eventId), token).ConfigureAwait(false);
    }

    /// <summary>The running turn is over (answered, failed or refused): report idle and start the next one. False when no turn was running.</summary>
    private async Task<bool> EndTurnAsync(CancellationToken token)
    {
        lock (_gate)
        {
            if (!_turnActive)
            {
                return false;
            }

            _turnActive = false;
            _turnEventId = null;
        }

        await _outbox.SendStatusAsync(SessionStates.Idle, token).ConfigureAwait(false);
        await TryStartNextTurnAsync(token).ConfigureAwait(false);
        return true;
    }
}
