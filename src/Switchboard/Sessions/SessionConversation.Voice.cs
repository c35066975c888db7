using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using Switchboard.Agents;
using Switchboard.Audio;
using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Calls;
using Switchboard.Journal;
using Switchboard.Transport;

namespace Switchboard.Sessions;

/// <summary>
/// The voice modes (<c>audio_playback</c>, <c>voice_conversation</c>, <c>browser_actions</c>): microphone audio in,
/// agent audio out, client-reported playback and barge-in. The client is the only one who knows what was really
/// heard (its own jitter buffer and sound card sit between the socket and the ear), so it reports positions with
/// <c>playback</c>, and a barge-in truncates the agent's item at the position the client reports when it stops.
/// </summary>
internal sealed partial class SessionConversation
{
    /// <summary>PCM16 at 24 kHz: what the backend speaks and what the client is sent.</summary>
    private static readonly AudioFormat BackendAudio = AudioFormat.Pcm24k;

    private static readonly AudioFormat Mic16k = new(AudioEncoding.Pcm16LittleEndian, 16000);

    private static readonly System.Buffers.SearchValues<byte> Base64Whitespace = System.Buffers.SearchValues.Create(" \t\r\n"u8);

    /// <summary>Played audio within this much of the generated end counts as fully played (one 40 ms piece).</summary>
    private const long PlayedSlackMs = 40;

    // Client loop: microphone audio → input_audio_buffer.append.
    private readonly ArrayBufferWriter<byte> _appendOut = new(8 * 1024);
    private AudioTranscoder? _micTranscoder;
    private byte[] _micEscaped = [];
    private byte[] _micRaw = [];
    private byte[] _micConverted = [];

    // Backend loop: the item whose audio is flowing, and what a barge-in silenced.
    private byte[] _audioOut = [];
    private int _audioOutLength;
    private byte[] _audioItemUtf8 = [];
    private string? _audioItem;
    private long _audioItemBytes;
    // Replaced whole (never mutated) by either loop, so a reader sees an old or a new array, never a torn one.
    private volatile byte[] _suppressedItemUtf8 = [];
    private volatile byte[] _suppressedResponseUtf8 = [];
    // Written by the backend loop, read by the client loop when the client interrupts.
    private volatile string? _responseId;
    private volatile bool _responseActive;
    private bool _speakingSent;

    // Shared by both loops, under _voiceGate: the last item with audio, the client's last report, a pending barge-in.
    private readonly Lock _voiceGate = new();
    private readonly Dictionary<string, long> _interruptedItems = new(StringComparer.Ordinal);
    private string? _lastAudioItem;
    private long _lastAudioBytes;
    private long _lastAudioStartedAt;
    private bool _lastAudioDone;
    private string? _reportedItem;
    private long _reportedMs;
    private long _reportedAt;
    private Interruption? _interruption;

    private string Mode => _start.Session.Mode;

    /// <summary>Whether the client may send microphone audio.</summary>
    private bool TakesAudio => Mode is InteractionModes.VoiceConversation or InteractionModes.BrowserActions;

    /// <summary>Whether the agent answers in speech.</summary>
    private bool Speaks => Mode != InteractionModes.Text;

    /// <summary>
    /// Validates a client <c>audio</c> message and writes the <c>input_audio_buffer.append</c> for it: 24 kHz base64 is
    /// passed through untouched, 16 kHz is decoded and resampled (the transcoder keeps its filter state between messages).
    /// </summary>
    private bool PrepareAppend(ReadOnlySpan<byte> base64, bool escaped, int sampleRate, out SessionError? error)
    {
        error = null;
        _appendOut.ResetWrittenCount();
        if (escaped)
        {
            EnsureCapacity(ref _micEscaped, base64.Length);
            if (!JsonStringUnescaper.TryUnescapeAscii(base64, _micEscaped, out var unescaped))
            {
                error = new SessionError(SessionErrorCodes.InvalidAudio, "payload.audio is not valid base64");
                return false;
            }

            base64 = _micEscaped.AsSpan(0, unescaped);
        }

        if (!Base64.IsValid(base64, out var decodedLength) || decodedLength % 2 != 0)
        {
            error = new SessionError(SessionErrorCodes.InvalidAudio, "payload.audio must be base64 of whole 16-bit little-endian samples");
            return false;
        }

        // Base64 that is already clean goes through untouched; with whitespace in it (legal base64, but not what a backend
        // expects inside its JSON) it is decoded and re-encoded below.
        if (sampleRate == BackendAudio.SampleRate && base64.IndexOfAny(Base64Whitespace) < 0)
        {
            RealtimeClientEvents.WriteAppendBase64(_appendOut, base64);
            return true;
        }

        EnsureCapacity(ref _micRaw, decodedLength);
        Base64.DecodeFromUtf8(base64, _micRaw, out _, out var decoded);
        if (sampleRate == BackendAudio.SampleRate)
        {
            RealtimeClientEvents.WriteAppend(_appendOut, _micRaw.AsSpan(0, decoded));
            return true;
        }

        _micTranscoder ??= new AudioTranscoder(Mic16k, BackendAudio);
        EnsureCapacity(ref _micConverted, _micTranscoder.MaxOutputBytes(decoded));
        var converted = _micTranscoder.Transcode(_micRaw.AsSpan(0, decoded), _micConverted);
        RealtimeClientEvents.WriteAppend(_appendOut, _micConverted.AsSpan(0, converted));
        return true;
    }

    /// <summary>
    /// Recognises a client <c>audio</c> message and, when it is one, checks it and writes its append (synchronously: the
    /// spans point into the receive buffer). <paramref name="error"/> is set for an audio message that cannot be used.
    /// </summary>
    private SessionAudioScan TryPrepareClientAudio(ReadOnlySpan<byte> message, out SessionError? error)
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

        return PrepareAppend(base64, escaped, rate, out error) ? SessionAudioScan.Audio : SessionAudioScan.Invalid;
    }

    /// <summary>Sends the append <see cref="TryPrepareClientAudio"/> wrote.</summary>
    private ValueTask<bool> SendClientAudioAsync(CancellationToken token)
    {
        bool ready;
        lock (_gate)
        {
            ready = _backendReady;
        }

        // Audio that arrives while the backend is still connecting is dropped: the session's format is not set yet.
        return ready && _backend is { } backend ? backend.SendAsync(_appendOut.WrittenMemory, token) : ValueTask.FromResult(false);
    }

    /// <summary>
    /// Handles an agent audio delta on the fast path (no event parse): drops audio of an interrupted item or response,
    /// otherwise copies the base64 into the outgoing <c>audio</c> message. True when there is something to send.
    /// </summary>
    private bool PrepareAgentAudio(ref RealtimeEventHeader header)
    {
        if (header.Delta.IsEmpty
            || (_suppressedItemUtf8.Length > 0 && header.ItemId.SequenceEqual(_suppressedItemUtf8))
            || (_suppressedResponseUtf8.Length > 0 && header.ResponseId.SequenceEqual(_suppressedResponseUtf8)))
        {
            return false;
        }

        if (!header.ItemId.SequenceEqual(_audioItemUtf8))
        {
            _audioItemUtf8 = header.ItemId.ToArray();
            _audioItem = System.Text.Encoding.UTF8.GetString(header.ItemId);
            _audioItemBytes = 0;
            lock (_voiceGate)
            {
                _lastAudioItem = _audioItem;
                _lastAudioBytes = 0;
                _lastAudioDone = false;
                _lastAudioStartedAt = _time.GetTimestamp();
            }
        }

        // The outgoing value is the JSON string itself, quotes included, so the envelope writer copies it raw.
        var delta = header.Delta;
        EnsureCapacity(ref _audioOut, delta.Length + 2);
        _audioOut[0] = (byte)'"';
        int length;
        if (header.DeltaEscaped)
        {
            if (!JsonStringUnescaper.TryUnescapeAscii(delta, _audioOut.AsSpan(1), out length))
            {
                return false;
            }
        }
        else
        {
            delta.CopyTo(_audioOut.AsSpan(1));
            length = delta.Length;
        }

        if (!Base64.IsValid(_audioOut.AsSpan(1, length), out var decoded))
        {
            return false;
        }

        _audioOut[length + 1] = (byte)'"';
        _audioOutLength = length + 2;
        _audioItemBytes += decoded;
        lock (_voiceGate)
        {
            _lastAudioBytes = _audioItemBytes;
        }

        return true;
    }

    private async Task SendAgentAudioAsync(CancellationToken token)
    {
        if (!_speakingSent)
        {
            _speakingSent = true;
            await _outbox.SendStatusAsync(SessionStates.Speaking, token).ConfigureAwait(false);
        }

        await _outbox.SendAsync(SessionMessageTypes.Audio, this, static (w, c) =>
        {
            w.WriteString("itemId"u8, c._audioItem);
            w.WritePropertyName("audio"u8);
            w.WriteRawValue(c._audioOut.AsSpan(0, c._audioOutLength), skipInputValidation: true);
            w.WriteNumber("sampleRate"u8, BackendAudio.SampleRate);
        }, token).ConfigureAwait(false);
    }

    /// <summary>The item's audio is complete: tell the client how long it is, so it knows when it has played it all.</summary>
    private async Task OnAgentAudioDoneAsync(string itemId, CancellationToken token)
    {
        long durationMs;
        lock (_voiceGate)
        {
            // An interrupted item's end is not news to the client, which already stopped it.
            if (!string.Equals(itemId, _lastAudioItem, StringComparison.Ordinal) || _interruption is not null || _interruptedItems.ContainsKey(itemId))
            {
                return;
            }

            _lastAudioDone = true;
            durationMs = _lastAudioBytes / BackendAudio.BytesPerMs;
        }

        await _outbox.SendAsync(SessionMessageTypes.AudioDone, (itemId, durationMs), static (w, s) =>
        {
            w.WriteString("itemId"u8, s.itemId);
            w.WriteNumber("durationMs"u8, s.durationMs);
        }, token).ConfigureAwait(false);
    }

    /// <summary>
    /// The backend heard the user start speaking. If agent audio is still unplayed or being generated, that is a barge-in:
    /// the client is told to stop at once and the response is cancelled; the truncation waits for the client's position.
    /// </summary>
    private async Task OnSpeechStartedAsync(CancellationToken token)
    {
        await _outbox.SendStatusAsync(SessionStates.Listening, token).ConfigureAwait(false);
        string? item;
        lock (_voiceGate)
        {
            item = _lastAudioItem;
            var generatedMs = _lastAudioBytes / BackendAudio.BytesPerMs;
            var fullyPlayed = _lastAudioDone && string.Equals(_reportedItem, item, StringComparison.Ordinal) && _reportedMs + PlayedSlackMs >= generatedMs;
            // A finished item the client has played to the end was heard whole, even if a newer response is running
            // (the user paused, the backend started answering, the user went on): only that response is cancelled.
            if (item is null || _interruptedItems.ContainsKey(item) || _interruption is not null || fullyPlayed)
            {
                item = null;
            }
        }

        if (item is not null || _responseActive)
        {
            await BeginInterruptionAsync(item, "user_speech", token).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Stops the agent: suppresses the rest of the response's audio, tells the client to stop playback, cancels the
    /// response, and (when an item was playing) waits for the client's played position to truncate it.
    /// </summary>
    private async Task BeginInterruptionAsync(string? itemId, string reason, CancellationToken token)
    {
        var responseId = _responseId;
        if (_responseActive && responseId is not null)
        {
            _suppressedResponseUtf8 = System.Text.Encoding.UTF8.GetBytes(responseId);
        }

        Interruption? interruption = null;
        if (itemId is not null)
        {
            _suppressedItemUtf8 = System.Text.Encoding.UTF8.GetBytes(itemId);
            lock (_voiceGate)
            {
                interruption = _interruption = new Interruption(itemId, reason, _time.GetTimestamp());
            }
        }

        await _outbox.SendAsync(SessionMessageTypes.Interrupt, (itemId, reason), static (w, s) =>
        {
            if (s.itemId is not null)
            {
                w.WriteString("itemId"u8, s.itemId);
            }

            w.WriteString("reason"u8, s.reason);
        }, token).ConfigureAwait(false);

        if (_responseActive)
        {
            await SendBackendAsync(w => RealtimeClientEvents.WriteResponseCancel(w), token).ConfigureAwait(false);
        }

        if (interruption is not null)
        {
            _ = TruncateIfClientSilentAsync(interruption, token);
        }
    }

    /// <summary>If the client does not report its position in time, truncate at the gateway's own estimate.</summary>
    private async Task TruncateIfClientSilentAsync(Interruption interruption, CancellationToken token)
    {
        try
        {
            await Task.Delay(TimeSpan.FromMilliseconds(_services.Options.Sessions.InterruptReplyTimeoutMs), _time, token).ConfigureAwait(false);
            long estimate;
            lock (_voiceGate)
            {
                if (!ReferenceEquals(_interruption, interruption))
                {
                    return;
                }

                // From the last report plus the time since, or (never reported) from when the item's audio started; both
                // assume playback ran in real time until the interrupt was sent.
                estimate = string.Equals(_reportedItem, interruption.ItemId, StringComparison.Ordinal)
                    ? _reportedMs + (long)_time.GetElapsedTime(_reportedAt, interruption.At).TotalMilliseconds
                    : (long)_time.GetElapsedTime(_lastAudioStartedAt, interruption.At).TotalMilliseconds;
            }

            await CompleteInterruptionAsync(interruption.ItemId, Math.Max(0, estimate), fromClient: false, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The conversation ended.
        }
    }

    /// <summary>Truncates the interrupted item at <paramref name="playedMs"/> (clamped to what was generated), once.</summary>
    private async Task CompleteInterruptionAsync(string itemId, long playedMs, bool fromClient, CancellationToken token)
    {
        Interruption interruption;
        long generatedMs;
        lock (_voiceGate)
        {
            if (_interruption is not { } pending || !string.Equals(pending.ItemId, itemId, StringComparison.Ordinal))
            {
                return;
            }

            interruption = pending;
            _interruption = null;
            generatedMs = string.Equals(_lastAudioItem, itemId, StringComparison.Ordinal) ? _lastAudioBytes / BackendAudio.BytesPerMs : playedMs;
        }

        // truncate fails when audio_end_ms exceeds the audio generated, so never ask for more.
        var heardMs = Math.Min(playedMs, generatedMs);
        string? shownFinal;
        lock (_voiceGate)
        {
            // Decided under the same lock as FinishAgentTurnAsync, so exactly one of the two shows the marked final.
            _interruptedItems[itemId] = heardMs;
            _agentFinals.TryGetValue(itemId, out shownFinal);
        }

        await SendBackendAsync(w => RealtimeClientEvents.WriteTruncate(w, itemId, 0, heardMs), token).ConfigureAwait(false);
        SessionLog.BargeIn(_logger, SessionId, itemId, heardMs, generatedMs, fromClient);
        Record(CallEventType.BargeIn, itemId: itemId, heardMs: heardMs, generatedMs: generatedMs, reason: interruption.Reason,
            data: new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["position_from"] = fromClient ? "client" : "estimate",
                ["wait_ms"] = ((long)_time.GetElapsedTime(interruption.At).TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
            });

        // When the item's final transcript has already been shown, show it again marked with what was heard; otherwise its
        // final (from the backend, or from what streamed when the response ends) carries the mark itself.
        if (shownFinal is not null)
        {
            await SendAgentFinalAsync(itemId, shownFinal, interrupted: true, heardMs, token).ConfigureAwait(false);
        }
    }

    /// <summary>A client <c>playback</c> report: remembered for estimates, and the answer to an <c>interrupt</c> when flagged.</summary>
    private async Task OnPlaybackAsync(SessionClientMessage message, CancellationToken token)
    {
        bool pendingForItem;
        lock (_voiceGate)
        {
            _reportedItem = message.ItemId;
            _reportedMs = message.PlayedMs;
            _reportedAt = _time.GetTimestamp();
            pendingForItem = _interruption is { } pending && string.Equals(pending.ItemId, message.ItemId, StringComparison.Ordinal);
        }

        if (pendingForItem && message.Interrupted)
        {
            await CompleteInterruptionAsync(message.ItemId!, message.PlayedMs, fromClient: true, token).ConfigureAwait(false);
        }
    }

    /// <summary>The client stopped the agent itself: cancel, and truncate at its position (or at its last report).</summary>
    private async Task OnClientInterruptAsync(SessionClientMessage message, CancellationToken token)
    {
        if (!Speaks)
        {
            await ReplyErrorAsync(new SessionError(SessionErrorCodes.InvalidPlayback, "interrupt applies to spoken modes only"), token).ConfigureAwait(false);
            return;
        }

        string? item;
        long fallback;
        lock (_voiceGate)
        {
            item = message.ItemId ?? _lastAudioItem;
            if (item is not null && (_interruptedItems.ContainsKey(item) || _interruption is not null))
            {
                item = null;
            }

            fallback = string.Equals(_reportedItem, item, StringComparison.Ordinal) ? _reportedMs : 0;
        }

        if (item is null && !_responseActive)
        {
            return;
        }

        await BeginInterruptionAsync(item, "client", token).ConfigureAwait(false);
        if (item is not null)
        {
            await CompleteInterruptionAsync(item, message.PlayedMs >= 0 ? message.PlayedMs : fallback, fromClient: true, token).ConfigureAwait(false);
        }
    }

    private bool IsInterrupted(string itemId, out long heardMs)
    {
        lock (_voiceGate)
        {
            return _interruptedItems.TryGetValue(itemId, out heardMs);
        }
    }

    private static void EnsureCapacity(ref byte[] buffer, int size)
    {
        if (buffer.Length < size)
        {
            // Grows rarely (a larger message than any before); steady state reuses the buffer.
            buffer = new byte[Math.Max(size, buffer.Length * 2)];
        }
    }

    /// <summary>A barge-in waiting for the client's played position.</summary>
    private sealed record Interruption(string ItemId, string Reason, long At);
}
