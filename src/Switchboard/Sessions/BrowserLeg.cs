using System.Runtime.CompilerServices;
using System.Buffers;
using System.Buffers.Text;
using System.Net.WebSockets;
using Microsoft.Extensions.Logging;
using Switchboard.Agents;
using Switchboard.Audio;
using Switchboard.Calls;
using Switchboard.Configuration;
using Switchboard.Control;
using Switchboard.Journal;
using Switchboard.Transport;

namespace Switchboard.Sessions;

/// <summary>
/// A browser's (or app's) caller leg: one connection to <c>/ws/session</c> for an admitted session. Every server message
/// goes out in the session envelope (<see cref="SessionOutbox"/>); client messages are typed turns, microphone audio,
/// playback reports, interrupts, action results, pings and hang-ups. The session's mode says what the leg can do.
/// The client is the only one who knows what was really heard (its own jitter buffer and sound card sit between the
/// socket and the ear), so a barge-in sends <c>interrupt</c> and the heard position is the one the client reports back
/// (or, when it does not answer in time, an estimate from its last report).
/// </summary>
internal sealed partial class BrowserLeg : ICallerLeg
{
    /// <summary>PCM16 at 24 kHz: what the client is sent, and its default microphone rate.</summary>
    private static readonly AudioFormat Pcm24k = AudioFormat.Pcm24k;

    private static readonly AudioFormat Mic16k = new(AudioEncoding.Pcm16LittleEndian, 16000);

    private static readonly SearchValues<byte> Base64Whitespace = SearchValues.Create(" \t\r\n"u8);

    /// <summary>Played audio within this much of the generated end counts as fully played (one 40 ms piece).</summary>
    private const long PlayedSlackMs = 40;

    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    private readonly SessionRecord _session;
    private readonly SessionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly WebSocketSender _sender;
    private readonly WebSocketMessageReader _reader;
    private readonly SessionOutbox _outbox;
    private readonly Queue<Func<CancellationToken, ValueTask>> _pending = new();
    private string _callId = "";

    // Caller loop: microphone audio cleaned for the append.
    private byte[] _micClean = [];

    // Backend loop: the outgoing audio value (a JSON string, quotes included).
    private byte[] _audioOut = [];

    // Shared by both loops, under _gate: the last item with audio, the client's last report, a pending barge-in.
    private readonly Lock _gate = new();
    private string? _lastAudioItem;
    private long _lastAudioBytes;
    private long _lastAudioStartedAt;
    private bool _lastAudioDone;
    private string? _clearedItem;
    private string? _reportedItem;
    private long _reportedMs;
    private long _reportedAt;
    private PendingInterruption? _interruption;

    public BrowserLeg(WebSocket socket, SessionRecord session, SessionOptions options, TimeProvider time, ILogger logger)
    {
        _session = session;
        _options = options;
        _time = time;
        _logger = logger;
        _sender = new WebSocketSender(socket);
        _reader = new WebSocketMessageReader(socket, options.MaxMessageBytes);
        _outbox = new SessionOutbox(_sender, session.Id, time);
    }

    public Guid SessionId => _session.Id;

    public string Channel => Transports.WebSocket;

    public string LostEndReason => CallEndReason.ClientClosed;

    public AudioFormat Format => Pcm24k;

    public DateTimeOffset? ExpiresAt => _session.ExpiresAt;

    private string Mode => _session.Mode;

    /// <summary>Whether the client may send microphone audio.</summary>
    private bool TakesAudio => Mode is InteractionModes.VoiceConversation or InteractionModes.BrowserActions;

    /// <summary>Whether the agent answers in speech.</summary>
    private bool Speaks => Mode != InteractionModes.Text;

    public CallerLegCapabilities Capabilities
    {
        get
        {
            var capabilities = CallerLegCapabilities.TypedTurns | CallerLegCapabilities.ShowsText;
            if (Speaks)
            {
                capabilities |= CallerLegCapabilities.AgentAudio;
            }

            if (TakesAudio)
            {
                capabilities |= CallerLegCapabilities.CallerAudio;
            }

            if (Mode == InteractionModes.BrowserActions)
            {
                capabilities |= CallerLegCapabilities.BrowserActions;
            }

            return capabilities;
        }
    }

    /// <summary>The session was admitted by its host (token, record): it starts at once, on the session's endpoint.</summary>
    public Task<CallerLegStart> StartAsync(string callId, CancellationToken cancellationToken)
    {
        _callId = callId;
        return Task.FromResult(new CallerLegStart(new CallStartInfo
        {
            TeamId = _session.TeamId,
            EndpointId = _session.EndpointId,
            SessionId = _session.Id,
            Mode = _session.Mode,
            Flow = _session.Flow,
            Format = Pcm24k,
        }));
    }

    /// <summary>The first message of every connection: <c>status connected</c>, with the audio formats of a spoken mode.</summary>
    public async ValueTask OnAdmittedAsync(CancellationToken cancellationToken) =>
        await _outbox.SendAsync(SessionMessageTypes.Status, this, static (w, leg) =>
        {
            w.WriteString("state"u8, CallerStates.Connected);
            w.WriteString("mode"u8, leg._session.Mode);
            w.WriteString("endpointId"u8, leg._session.EndpointId.ToString("D"));
            w.WriteString("callId"u8, leg._callId);
            if (leg._session.Flow is { } flow)
            {
                w.WriteString("flow"u8, flow);
            }

            if (leg.Speaks)
            {
                w.WriteStartObject("audio"u8);
                w.WriteString("encoding"u8, "pcm16"u8);
                w.WriteStartArray("inputSampleRates"u8);
                if (leg.TakesAudio)
                {
                    w.WriteNumberValue(16000);
                    w.WriteNumberValue(24000);
                }

                w.WriteEndArray();
                w.WriteNumber("outputSampleRate"u8, Pcm24k.SampleRate);
                w.WriteEndObject();
            }
        }, cancellationToken).ConfigureAwait(false);

    public ValueTask<ReceiveStatus> ReceiveAsync(CancellationToken cancellationToken) => _reader.ReadAsync(cancellationToken);

    public CallerFrameKind TryReadFrame(ReceiveStatus status, out CallerFrame frame)
    {
        frame = default;
        switch (status)
        {
            case ReceiveStatus.Closed:
                return frame.End(CallEndReason.ClientClosed, (int)WebSocketCloseStatus.NormalClosure, "", "client closed the connection");
            case ReceiveStatus.TooLarge:
                return frame.End(CallEndReason.CarrierProtocolError, (int)WebSocketCloseStatus.MessageTooBig, $"message exceeds {_options.MaxMessageBytes} bytes");
            case ReceiveStatus.Binary:
                return Reply(new SessionError(SessionErrorCodes.BinaryNotSupported, "binary messages are not supported; send JSON text"));
        }

        // Microphone audio is most of the traffic in voice modes: recognised without building a document.
        var message = _reader.Message;
        switch (ReadAudio(message.Span, ref frame, out var audioError))
        {
            case SessionAudioScan.Audio:
                return CallerFrameKind.Audio;
            case SessionAudioScan.Invalid:
                return Reply(audioError!);
        }

        if (!SessionClientMessages.TryParse(message, out var parsed, out var error))
        {
            return Reply(error!);
        }

        switch (parsed.Kind)
        {
            case SessionClientMessageKind.Ping:
                _pending.Enqueue(token => Ignore(_outbox.SendAsync(SessionMessageTypes.Pong, 0, static (_, _) => { }, token)));
                return CallerFrameKind.Pending;
            case SessionClientMessageKind.Hangup:
                return frame.End(CallEndReason.CallerHangup, (int)WebSocketCloseStatus.NormalClosure, "hangup");
            case SessionClientMessageKind.Text:
                frame.Text = parsed.Text;
                return CallerFrameKind.Text;
            case SessionClientMessageKind.Playback:
                OnPlayback(parsed);
                return CallerFrameKind.None;
            case SessionClientMessageKind.Interrupt:
                if (!Speaks)
                {
                    return Reply(new SessionError(SessionErrorCodes.InvalidPlayback, "interrupt applies to spoken modes only"));
                }

                lock (_gate)
                {
                    frame.ItemId = parsed.ItemId ?? _lastAudioItem;
                    frame.PlayedMs = parsed.PlayedMs >= 0 ? parsed.PlayedMs
                        : string.Equals(_reportedItem, frame.ItemId, StringComparison.Ordinal) ? _reportedMs : 0;
                }

                return CallerFrameKind.Interrupt;
            case SessionClientMessageKind.ActionResult:
                return OnActionResult(parsed) ? CallerFrameKind.None
                    : Reply(new SessionError(SessionErrorCodes.UnknownAction, "no action is waiting for that actionId (unknown, already answered or timed out)"));
            default:
                return CallerFrameKind.None;
        }
    }

    /// <summary>
    /// Recognises a client <c>audio</c> message and checks it (synchronously: the spans point into the receive buffer):
    /// base64 of whole 16-bit samples at 16 or 24 kHz, in a mode with a microphone. Clean 24 kHz base64 goes through untouched.
    /// </summary>
    private SessionAudioScan ReadAudio(ReadOnlySpan<byte> message, ref CallerFrame frame, out SessionError? error)
    {
        error = null;
        var scan = SessionAudioScanner.Scan(message, out var base64, out var escaped, out var rate, out var problem);
        switch (scan)
        {
            case SessionAudioScan.NotAudio:
                return scan;
            case SessionAudioScan.Invalid:
                error = new SessionError(SessionErrorCodes.InvalidAudio, problem!);
                return scan;
        }

        if (!TakesAudio)
        {
            error = new SessionError(SessionErrorCodes.AudioNotAllowed, $"mode '{Mode}' takes no microphone audio; send text");
            return SessionAudioScan.Invalid;
        }

        if (escaped || base64.IndexOfAny(Base64Whitespace) >= 0)
        {
            // Legal base64 (escaped, or with whitespace), but not what a backend expects inside its JSON: cleaned here.
            if (_micClean.Length < base64.Length)
            {
                _micClean = new byte[Math.Max(base64.Length, _micClean.Length * 2)];
            }

            if (!TryClean(base64, escaped, _micClean, out var length))
            {
                error = new SessionError(SessionErrorCodes.InvalidAudio, "payload.audio is not valid base64");
                return SessionAudioScan.Invalid;
            }

            base64 = _micClean.AsSpan(0, length);
        }

        if (!Base64.IsValid(base64, out var decodedLength) || decodedLength % 2 != 0)
        {
            error = new SessionError(SessionErrorCodes.InvalidAudio, "payload.audio must be base64 of whole 16-bit little-endian samples");
            return SessionAudioScan.Invalid;
        }

        frame.Audio = base64;
        frame.AudioFormat = rate == Pcm24k.SampleRate ? Pcm24k : Mic16k;
        return SessionAudioScan.Audio;
    }

    /// <summary>Unescapes (when needed) and drops whitespace, so the base64 can be copied into a backend event as it is.</summary>
    private static bool TryClean(ReadOnlySpan<byte> base64, bool escaped, byte[] output, out int length)
    {
        length = 0;
        if (escaped)
        {
            if (!JsonStringUnescaper.TryUnescapeAscii(base64, output, out var unescaped))
            {
                return false;
            }

            base64 = output.AsSpan(0, unescaped);
        }

        foreach (var b in base64)
        {
            if (Base64Whitespace.Contains(b))
            {
                continue;
            }

            output[length++] = b;
        }

        return true;
    }

    private CallerFrameKind Reply(SessionError error)
    {
        SessionLog.ClientError(_logger, _session.Id, error.Code);
        _pending.Enqueue(token => Ignore(_outbox.SendErrorAsync(error, token)));
        return CallerFrameKind.Pending;
    }

    private static async ValueTask Ignore(ValueTask<bool> sent) => await sent.ConfigureAwait(false);

    public async ValueTask RunPendingAsync(CancellationToken cancellationToken)
    {
        while (_pending.TryDequeue(out var send))
        {
            await send(cancellationToken).ConfigureAwait(false);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> SendAudioAsync(string itemId, ReadOnlyMemory<byte> audio, bool isBase64, CancellationToken cancellationToken)
    {
        // The outgoing value is the JSON string itself, quotes included, so the envelope writer copies it raw.
        int valueLength;
        int decoded;
        if (isBase64)
        {
            if (!Base64.IsValid(audio.Span, out decoded))
            {
                // Never copy what is not base64 into a raw JSON value.
                return true;
            }

            EnsureAudioOut(audio.Length + 2);
            audio.Span.CopyTo(_audioOut.AsSpan(1));
            valueLength = audio.Length + 2;
        }
        else
        {
            decoded = audio.Length;
            EnsureAudioOut(Base64.GetMaxEncodedToUtf8Length(audio.Length) + 2);
            Base64.EncodeToUtf8(audio.Span, _audioOut.AsSpan(1), out _, out var written);
            valueLength = written + 2;
        }

        _audioOut[0] = (byte)'"';
        _audioOut[valueLength - 1] = (byte)'"';
        lock (_gate)
        {
            if (!ReferenceEquals(itemId, _lastAudioItem) && !string.Equals(itemId, _lastAudioItem, StringComparison.Ordinal))
            {
                _lastAudioItem = itemId;
                _lastAudioBytes = 0;
                _lastAudioDone = false;
                _lastAudioStartedAt = _time.GetTimestamp();
            }

            _lastAudioBytes += decoded;
        }

        return await _outbox.SendAsync(SessionMessageTypes.Audio, (this, itemId, valueLength), static (w, s) =>
        {
            w.WriteString("itemId"u8, s.itemId);
            w.WritePropertyName("audio"u8);
            w.WriteRawValue(s.Item1._audioOut.AsSpan(0, s.valueLength), skipInputValidation: true);
            w.WriteNumber("sampleRate"u8, Pcm24k.SampleRate);
        }, cancellationToken).ConfigureAwait(false);
    }

    private void EnsureAudioOut(int size)
    {
        if (_audioOut.Length < size)
        {
            _audioOut = new byte[Math.Max(size, _audioOut.Length * 2)];
        }
    }

    /// <summary>The item's audio is complete: tell the client how long it is, so it knows when it has played it all.</summary>
    public async ValueTask AgentAudioDoneAsync(string itemId, long generatedMs, CancellationToken cancellationToken)
    {
        long durationMs;
        lock (_gate)
        {
            if (!string.Equals(itemId, _lastAudioItem, StringComparison.Ordinal) || _interruption is not null)
            {
                return;
            }

            _lastAudioDone = true;
            durationMs = _lastAudioBytes / Pcm24k.BytesPerMs;
        }

        await _outbox.SendAsync(SessionMessageTypes.AudioDone, (itemId, durationMs), static (w, s) =>
        {
            w.WriteString("itemId"u8, s.itemId);
            w.WriteNumber("durationMs"u8, s.durationMs);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The last agent item unless the client has played it to its end (or it was stopped).</summary>
    public string? UnplayedItem
    {
        get
        {
            lock (_gate)
            {
                var item = _lastAudioItem;
                if (item is null || string.Equals(item, _clearedItem, StringComparison.Ordinal))
                {
                    return null;
                }

                var generatedMs = _lastAudioBytes / Pcm24k.BytesPerMs;
                var fullyPlayed = _lastAudioDone && string.Equals(_reportedItem, item, StringComparison.Ordinal) && _reportedMs + PlayedSlackMs >= generatedMs;
                return fullyPlayed ? null : item;
            }
        }
    }

    /// <summary>
    /// Sends <c>interrupt</c> (the client stops playback at once). The heard position is the caller's when it said so,
    /// else the client's <c>playback</c> answer with <c>interrupted</c>, else (no answer in time) an estimate.
    /// </summary>
    public async ValueTask<ClearedPlayout> ClearAsync(string? itemId, string reason, long knownHeardMs, CancellationToken cancellationToken)
    {
        PendingInterruption? interruption = null;
        if (itemId is not null)
        {
            lock (_gate)
            {
                _clearedItem = itemId;
                if (knownHeardMs < 0)
                {
                    interruption = _interruption = new PendingInterruption(itemId, _time.GetTimestamp());
                }
            }
        }

        await _outbox.SendAsync(SessionMessageTypes.Interrupt, (itemId, reason), static (w, s) =>
        {
            if (s.itemId is not null)
            {
                w.WriteString("itemId"u8, s.itemId);
            }

            w.WriteString("reason"u8, s.reason);
        }, cancellationToken).ConfigureAwait(false);

        return interruption is null
            ? new ClearedPlayout(Math.Max(0, knownHeardMs), "client")
            : new ClearedPlayout(0, "client", AwaitHeardAsync(interruption, cancellationToken));
    }

    private async Task<ClearedPlayout> AwaitHeardAsync(PendingInterruption interruption, CancellationToken cancellationToken)
    {
        try
        {
            var heard = await interruption.Heard.Task.WaitAsync(TimeSpan.FromMilliseconds(_options.InterruptReplyTimeoutMs), _time, cancellationToken).ConfigureAwait(false);
            return new ClearedPlayout(heard, "client");
        }
        catch (TimeoutException)
        {
            lock (_gate)
            {
                if (ReferenceEquals(_interruption, interruption))
                {
                    _interruption = null;
                }

                // From the last report plus the time since, or (never reported) from when the item's audio started; both
                // assume playback ran in real time until the interrupt was sent.
                var estimate = string.Equals(_reportedItem, interruption.ItemId, StringComparison.Ordinal)
                    ? _reportedMs + (long)_time.GetElapsedTime(_reportedAt, interruption.At).TotalMilliseconds
                    : (long)_time.GetElapsedTime(_lastAudioStartedAt, interruption.At).TotalMilliseconds;
                return new ClearedPlayout(Math.Max(0, estimate), "estimate");
            }
        }
    }

    /// <summary>A client <c>playback</c> report: remembered for estimates, and the answer to an <c>interrupt</c> when flagged.</summary>
    private void OnPlayback(SessionClientMessage message)
    {
        PendingInterruption? answered = null;
        lock (_gate)
        {
            _reportedItem = message.ItemId;
            _reportedMs = message.PlayedMs;
            _reportedAt = _time.GetTimestamp();
            if (message.Interrupted && _interruption is { } pending && string.Equals(pending.ItemId, message.ItemId, StringComparison.Ordinal))
            {
                answered = pending;
                _interruption = null;
            }
        }

        answered?.Heard.TrySetResult(message.PlayedMs);
    }

    public long EstimateHeard(string itemId)
    {
        lock (_gate)
        {
            return string.Equals(_reportedItem, itemId, StringComparison.Ordinal)
                ? _reportedMs + (long)_time.GetElapsedTime(_reportedAt).TotalMilliseconds
                : (long)_time.GetElapsedTime(_lastAudioStartedAt).TotalMilliseconds;
        }
    }

    /// <summary>Waits until the client has reported playing the last agent item to its end (or it had none, or it was stopped).</summary>
    public async Task WaitForPlayoutAsync(TimeSpan cap, CancellationToken cancellationToken)
    {
        if (!Speaks)
        {
            return;
        }

        var started = _time.GetTimestamp();
        while (UnplayedItem is not null && _time.GetElapsedTime(started) < cap)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), _time, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask ShowStateAsync(string state, CancellationToken cancellationToken) =>
        await _outbox.SendStatusAsync(state, cancellationToken).ConfigureAwait(false);

    public async ValueTask ShowTranscriptAsync(string role, string text, bool final, string itemId, long? heardMs, CancellationToken cancellationToken) =>
        await _outbox.SendTranscriptAsync(role, text, final, itemId, cancellationToken, heardMs).ConfigureAwait(false);

    public async ValueTask ShowChatbotAsync(string itemId, string text, string streamId, CancellationToken cancellationToken) =>
        await _outbox.SendChatbotAsync(itemId, text, streamId, cancellationToken).ConfigureAwait(false);

    public async ValueTask ShowErrorAsync(string code, string message, string? backendCode, CancellationToken cancellationToken) =>
        await _outbox.SendErrorAsync(new SessionError(code, message), cancellationToken, backendCode).ConfigureAwait(false);

    public Task<string?> HangUpAsync(CancellationToken cancellationToken) => Task.FromResult<string?>(null);

    public Task<CallControlResult> TransferAsync(string to, string? callerId, CancellationToken cancellationToken) =>
        Task.FromResult(new CallControlResult(CallControlStatus.NotConfigured, "a session has no phone line to transfer"));

    public Task CloseAsync(int code, string reason) => _sender.CloseAsync((WebSocketCloseStatus)code, reason, CloseGrace);

    public (int Code, string Reason) CloseFor(string endReason, string text) => endReason switch
    {
        CallEndReason.MaxDuration => ((int)WebSocketCloseStatus.NormalClosure, "maximum conversation duration reached"),
        CallEndReason.AgentEnded => ((int)WebSocketCloseStatus.NormalClosure, "agent ended the conversation"),
        CallEndReason.Superseded => (SessionCloseCodes.Superseded, SessionConnections.SupersededText),
        CallEndReason.SessionExpired => (SessionCloseCodes.Forbidden, "session expired"),
        CallEndReason.EndpointRejected => (SessionCloseCodes.Forbidden, text),
        CallEndReason.InternalError => (SessionCloseCodes.InternalError, "internal error"),
        CallEndReason.BackendUnavailable or CallEndReason.BackendDisconnected => ((int)WebSocketCloseStatus.InternalServerError, text),
        CallEndReason.GatewayShutdown => ((int)WebSocketCloseStatus.EndpointUnavailable, text),
        CallEndReason.Refused => (SessionCloseCodes.TooManyRequests, text),
        CallEndReason.IdleTimeout => ((int)WebSocketCloseStatus.NormalClosure, "conversation ended: nobody spoke for a while"),
        CallEndReason.BudgetExhausted => ((int)WebSocketCloseStatus.NormalClosure, "conversation ended: usage limit reached"),
        CallEndReason.Shutdown => ((int)WebSocketCloseStatus.NormalClosure, "conversation ended: the gateway is restarting"),
        CallEndReason.OperatorHangup => ((int)WebSocketCloseStatus.NormalClosure, "conversation ended by an operator"),
        _ => ((int)WebSocketCloseStatus.NormalClosure, text),
    };

    public void DescribeStart(IDictionary<string, string> data)
    {
        data[CallEventKeys.SessionId] = _session.Id.ToString("D");
        data["mode"] = _session.Mode;
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _outbox.Dispose();
        _sender.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>A barge-in waiting for the client's played position.</summary>
    private sealed class PendingInterruption(string itemId, long at)
    {
        public string ItemId { get; } = itemId;

        public long At { get; } = at;

        public TaskCompletionSource<long> Heard { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
