using System.Runtime.CompilerServices;
using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using Switchboard.Agents;
using Switchboard.Agents.Tools;
using Switchboard.Audio;
using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Journal;
using Switchboard.Transport;

namespace Switchboard.Calls;

/// <summary>Audio both ways and barge-in: caller audio to the backend, agent audio to the leg, and the stop at what was heard.</summary>
internal sealed partial class CallBridge
{
    /// <summary>Interrupted items wait here for their final transcript; the oldest go once more than this wait.</summary>
    private const int MaxInterruptedItems = 32;

    // Under _turnGate: a barge-in may complete on another thread (a client's report) while the backend loop journals turns.
    private readonly Dictionary<string, long> _interruptedItems = new(StringComparer.Ordinal);
    private readonly Queue<string> _interruptedOrder = new();
    private string? _pendingInterruption;

    private AudioFormat _backendFormat;
    private AudioTranscoder? _inbound;
    private AudioTranscoder? _inboundOther;
    private AudioTranscoder? _outbound;

    // Caller-loop scratch (_in*) and backend-loop scratch never mix: the loops run concurrently.
    private byte[] _inRaw = [];
    private byte[] _inConverted = [];
    private byte[] _decodeScratch = [];
    private byte[] _transcodeScratch = [];
    private byte[] _outAudio = [];
    private int _outAudioLength;
    private bool _outAudioIsBase64;
    private string? _pendingText;
    private (string? ItemId, long PlayedMs) _pendingInterrupt;

    // Backend-loop state: the item whose audio is flowing, and what a barge-in silenced (replaced whole, read by both loops).
    private string? _audioItem;
    private byte[] _audioItemUtf8 = [];
    private long _audioItemGeneratedBytes;
    private volatile byte[] _suppressedItemUtf8 = [];
    private volatile byte[] _suppressedResponseUtf8 = [];

    // Latency budget: caller frame received → append sent (caller loop writes, backend loop reads for the report),
    // and per agent item: speech stopped → first delta received → first audio sent.
    private long _inFrames;
    private long _inTotalTicks;
    private long _inMaxTicks;
    private long _speechStoppedTimestamp;
    private long _firstDeltaTimestamp;
    private long _messageTimestamp;
    private bool _firstMediaPending;

    /// <summary>The call's first agent audio has left for the caller (its milestone is logged once).</summary>
    private bool _firstAudioSent;

    internal static AudioFormat ChooseBackendFormat(string configured, AudioFormat caller) => configured switch
    {
        "pcmu" => AudioFormat.MuLaw8k,
        "pcma" => AudioFormat.ALaw8k,
        "pcm24" => AudioFormat.Pcm24k,
        // auto: keep G.711 end to end so audio passes through undecoded; PCM callers meet the backend at 24 kHz.
        _ when caller == AudioFormat.MuLaw8k => AudioFormat.MuLaw8k,
        _ when caller == AudioFormat.ALaw8k => AudioFormat.ALaw8k,
        _ => AudioFormat.Pcm24k,
    };

    private void PrepareAudio(AgentSpec spec)
    {
        var legFormat = _leg.Format;
        _backendFormat = ChooseBackendFormat(spec.AudioFormat, legFormat);
        _inbound = new AudioTranscoder(legFormat, _backendFormat);
        _outbound = new AudioTranscoder(_backendFormat, legFormat);
    }

    /// <summary>
    /// (4) A GA session for the call — audio out when the caller hears the agent, else text; voice detection and
    /// transcription when the caller's audio reaches us — with the endpoint's (and flow's) instructions and tools (plus
    /// browser actions on a page that runs them); then the greeting.
    /// </summary>
    private async Task ConfigureBackendAsync(AgentSpec spec, IReadOnlyList<ToolSpec> tools, CancellationToken token)
    {
        // A leg whose media the backend holds answered its call with this very session (the SIP connector's accept).
        if (_remoteLeg is null)
        {
            var setup = new ArrayBufferWriter<byte>(4096);
            RealtimeClientEvents.WriteSessionUpdate(setup, SessionSettings(spec, tools));
            // Kept: a replacement session (after a drop, or recycled) starts with the same instructions.
            _sessionUpdate = setup.WrittenSpan.ToArray();
            await _backend!.SendAsync(_sessionUpdate, token).ConfigureAwait(false);
        }

        await GreetAsync(EndpointPolicy.Greeting(spec, _admission!.Flow), token).ConfigureAwait(false);
        lock (_turnGate)
        {
            _backendReady = true;
        }

        await ShowStateAsync(CallerStates.Idle, token).ConfigureAwait(false);
        await TryStartNextTurnAsync(token).ConfigureAwait(false);
    }

    /// <summary>
    /// The call's GA session from the spec and the leg's capabilities. A leg whose media the backend holds gets no audio
    /// formats (the SIP negotiation chose them) and the spec's own model (empty: the leg's default).
    /// </summary>
    private RealtimeSessionSettings SessionSettings(AgentSpec spec, IReadOnlyList<ToolSpec> tools)
    {
        var emptyParameters = EmptyToolParameters;
        // Built-ins with their defaults; no transfer without a phone line (the model would be told transfer_not_supported).
        var definitions = tools.Where(t => _capabilities.HasFlag(CallerLegCapabilities.Transfer) || !BuiltInTools.IsTransfer(t)).Select(t => new RealtimeToolDefinition(t.Name, t.Description ?? "", t.Parameters ?? emptyParameters));
        if (_capabilities.HasFlag(CallerLegCapabilities.BrowserActions))
        {
            definitions = definitions.Concat((spec.BrowserActions ?? []).Select(a => new RealtimeToolDefinition(a.Name, a.Description ?? "", a.Parameters ?? emptyParameters)));
        }

        var hearsCaller = _capabilities.HasFlag(CallerLegCapabilities.CallerAudio);
        return new RealtimeSessionSettings
        {
            Model = _remoteLeg is null ? _backendEndpoint!.Model : spec.Model ?? "",
            Instructions = EndpointPolicy.Instructions(spec, _admission!.Flow),
            Voice = spec.Voice,
            OutputModality = Speaks ? "audio" : "text",
            InputFormat = _backendFormat,
            OutputFormat = _backendFormat,
            NegotiatedFormats = _remoteLeg is not null,
            // Without caller audio (typed turns only) there is nothing to detect or transcribe.
            TurnDetection = hearsCaller ? spec.TurnDetection.Type : "none",
            VadThreshold = spec.TurnDetection.Threshold,
            PrefixPaddingMs = spec.TurnDetection.PrefixPaddingMs,
            SilenceDurationMs = spec.TurnDetection.SilenceDurationMs,
            TranscriptionModel = hearsCaller ? spec.Transcription.Model : null,
            TranscriptionLanguage = spec.Transcription.Language,
            Tools = definitions.ToList(),
        };
    }

    private static readonly System.Text.Json.JsonElement EmptyToolParameters =
        System.Text.Json.JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement.Clone();

    /// <summary>Whether the agent answers in speech (the caller hears it through this leg).</summary>
    private bool Speaks => _capabilities.HasFlag(CallerLegCapabilities.AgentAudio);

    /// <summary>Builds <c>input_audio_buffer.append</c> from caller audio: the base64 as-is when formats match, else decoded and transcoded.</summary>
    private bool WriteAppend(ref CallerFrame frame)
    {
        var payload = frame.Audio;
        _callerLoopOut.ResetWrittenCount();
        var transcoder = frame.AudioFormat == _leg.Format ? _inbound! : InboundFor(frame.AudioFormat);
        if (transcoder.IsPassthrough)
        {
            RealtimeClientEvents.WriteAppendBase64(_callerLoopOut, payload);
            if (_tap.IsListened)
            {
                _tap.Write(TapSource.Caller, frame.AudioFormat, isBase64: true, payload, null);
            }

            return true;
        }

        EnsureCapacity(ref _inRaw, Base64.GetMaxDecodedFromUtf8Length(payload.Length));
        if (Base64.DecodeFromUtf8(payload, _inRaw, out _, out var decoded) != OperationStatus.Done)
        {
            return false;
        }

        if (_tap.IsListened)
        {
            _tap.Write(TapSource.Caller, frame.AudioFormat, isBase64: false, _inRaw.AsSpan(0, decoded), null);
        }

        EnsureCapacity(ref _inConverted, transcoder.MaxOutputBytes(decoded));
        var converted = transcoder.Transcode(_inRaw.AsSpan(0, decoded), _inConverted);
        RealtimeClientEvents.WriteAppend(_callerLoopOut, _inConverted.AsSpan(0, converted));
        return true;
    }

    /// <summary>A second input format of the same leg (a browser microphone at 16 kHz): its own transcoder, kept for the call.</summary>
    private AudioTranscoder InboundFor(AudioFormat format)
    {
        if (_inboundOther is not { } other || other.From != format)
        {
            _inboundOther = other = new AudioTranscoder(format, _backendFormat);
        }

        return other;
    }

    /// <summary>
    /// The hot path for <c>response.output_audio.delta</c>: copies (or transcodes) the audio into the outbound buffer.
    /// Returns true when there is audio to send; <paramref name="handled"/> is true when the message was an audio delta at
    /// all (sent or deliberately dropped). Synchronous: the scanned header holds spans into the message.
    /// </summary>
    private bool PrepareAgentAudio(ReadOnlySpan<byte> message, out bool handled, out RealtimeServerEventType type)
    {
        handled = false;
        type = RealtimeServerEventType.Unknown;
        if (!RealtimeEventScanner.TryScan(message, out var header))
        {
            handled = true;
            CallLog.UnparseableBackendEvent(_logger, CallId, message.Length);
            return false;
        }

        type = header.Type;
        if (header.Type != RealtimeServerEventType.OutputAudioDelta)
        {
            return false;
        }

        handled = true;
        // Audio of an item or response the caller interrupted must never reach the caller after the stop.
        var suppressedItem = _suppressedItemUtf8;
        var suppressedResponse = _suppressedResponseUtf8;
        // A leg whose media the backend holds never plays audio from here.
        if (header.Delta.IsEmpty || !Speaks || _remoteLeg is not null
            || (suppressedItem.Length > 0 && header.ItemId.SequenceEqual(suppressedItem))
            || (suppressedResponse.Length > 0 && header.ResponseId.SequenceEqual(suppressedResponse)))
        {
            return false;
        }

        if (!header.ItemId.SequenceEqual(_audioItemUtf8))
        {
            _audioItemUtf8 = header.ItemId.ToArray();
            _audioItem = System.Text.Encoding.UTF8.GetString(header.ItemId);
            NoteSessionItem(_audioItem);
            _audioItemGeneratedBytes = 0;
            _firstDeltaTimestamp = _messageTimestamp;
            _firstMediaPending = true;
        }

        var delta = header.Delta;
        if (header.DeltaEscaped)
        {
            EnsureCapacity(ref _decodeScratch, delta.Length);
            if (!JsonStringUnescaper.TryUnescapeAscii(delta, _decodeScratch, out var n))
            {
                return false;
            }

            delta = _decodeScratch.AsSpan(0, n);
        }

        if (_outbound!.IsPassthrough)
        {
            EnsureCapacity(ref _outAudio, delta.Length);
            delta.CopyTo(_outAudio);
            _outAudioLength = delta.Length;
            _outAudioIsBase64 = true;
            _audioItemGeneratedBytes += DecodedLength(delta);
            TapAgentAudio();
            return delta.Length > 0;
        }

        EnsureCapacity(ref _transcodeScratch, Base64.GetMaxDecodedFromUtf8Length(delta.Length));
        if (Base64.DecodeFromUtf8(delta, _transcodeScratch, out _, out var decoded) != OperationStatus.Done)
        {
            CallLog.UnparseableBackendEvent(_logger, CallId, message.Length);
            return false;
        }

        EnsureCapacity(ref _outAudio, _outbound.MaxOutputBytes(decoded));
        _outAudioLength = _outbound.Transcode(_transcodeScratch.AsSpan(0, decoded), _outAudio);
        _outAudioIsBase64 = false;
        _audioItemGeneratedBytes += _outAudioLength;
        TapAgentAudio();
        return _outAudioLength > 0;
    }

    /// <summary>Copies the agent audio just prepared for the caller (as the caller hears it) to the call's listeners.</summary>
    private void TapAgentAudio()
    {
        if (_tap.IsListened && _outAudioLength > 0)
        {
            _tap.Write(TapSource.Agent, _leg.Format, _outAudioIsBase64, _outAudio.AsSpan(0, _outAudioLength), _audioItem);
        }
    }

    /// <summary>Hands the prepared agent audio to the leg; journals the latency budget of an item's first audio.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendAgentAudioAsync(CancellationToken token)
    {
        if (!_speakingShown)
        {
            _speakingShown = true;
            await ShowStateAsync(CallerStates.Speaking, token).ConfigureAwait(false);
        }

        if (await _leg.SendAudioAsync(_audioItem!, _outAudio.AsMemory(0, _outAudioLength), _outAudioIsBase64, token).ConfigureAwait(false) && _firstMediaPending)
        {
            RecordResponseTiming();
            if (!_firstAudioSent)
            {
                _firstAudioSent = true;
                CallMilestones.FirstAudioSent(_logger, CallId, SinceStartMs);
            }
        }
    }

    /// <summary>Journals the latency budget of the item whose first audio just left for the caller.</summary>
    private void RecordResponseTiming()
    {
        _firstMediaPending = false;
        var now = _time.GetTimestamp();
        var frames = Volatile.Read(ref _inFrames);
        var data = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["gateway_out_us"] = Micros(now - _firstDeltaTimestamp),
            ["gateway_in_mean_us"] = frames > 0 ? Micros(Volatile.Read(ref _inTotalTicks) / frames) : "0",
            ["gateway_in_max_us"] = Micros(Volatile.Read(ref _inMaxTicks)),
            ["frames_in"] = frames.ToString(CultureInfo.InvariantCulture),
        };
        if (_speechStoppedTimestamp != 0 && _speechStoppedTimestamp < _firstDeltaTimestamp)
        {
            // From the backend's end-of-speech event to its first audio: the backend's own time.
            data["backend_ms"] = _time.GetElapsedTime(_speechStoppedTimestamp, _firstDeltaTimestamp).TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture);
        }

        _speechStoppedTimestamp = 0;
        Record(CallEventType.ResponseTiming, itemId: _audioItem, data: data);
    }

    private string Micros(long ticks) =>
        _time.GetElapsedTime(0, ticks).TotalMicroseconds.ToString("0", CultureInfo.InvariantCulture);

    /// <summary>
    /// The caller started speaking over the agent (the backend's voice detection, or the client's own interrupt). When
    /// agent audio is unplayed or a response is running: silence the rest of it, stop playback at the leg at once, cancel
    /// the response, and truncate the item at what the leg says was heard (at once from a mark ledger; when a client
    /// reports its position, as soon as it does — the backend loop does not wait for it). Runs on the backend loop (voice
    /// detection) or the caller loop (a client's interrupt); each writes with its own buffer, and only the backend loop
    /// touches the item whose audio is flowing (the suppression below keeps the rest of it away from the caller).
    /// </summary>
    private async Task BargeInAsync(string reason, string? itemId, long knownHeardMs, bool onBackendLoop, CancellationToken token)
    {
        var output = onBackendLoop ? _backendLoopOut : _callerLoopOut;
        var item = itemId ?? _leg.UnplayedItem;
        string? staleItem = null;
        lock (_turnGate)
        {
            if (item is not null && _staleItems.Contains(item))
            {
                staleItem = item;
                item = null;
            }

            if (item is not null && (_interruptedItems.ContainsKey(item) || _pendingInterruption is not null))
            {
                item = null;
            }

            if (item is not null)
            {
                _pendingInterruption = item;
            }
        }

        if (staleItem is not null)
        {
            // Audio of a replaced backend session still playing: stop it at the leg, but name nothing of the old session
            // on the new one (its truncate would be refused: the item does not exist there).
            await _leg.ClearAsync(staleItem, reason, knownHeardMs, token).ConfigureAwait(false);
        }

        var responseActive = _responseActive;
        if (item is null && !responseActive)
        {
            return;
        }

        if (responseActive && _responseId is { } responseId)
        {
            _suppressedResponseUtf8 = System.Text.Encoding.UTF8.GetBytes(responseId);
        }

        long generatedMs = 0;
        if (item is not null)
        {
            _suppressedItemUtf8 = System.Text.Encoding.UTF8.GetBytes(item);
            generatedMs = string.Equals(item, _audioItem, StringComparison.Ordinal) ? _audioItemGeneratedBytes / _leg.Format.BytesPerMs : -1;
        }

        var startedAt = _time.GetTimestamp();
        var heard = await _leg.ClearAsync(item, reason, knownHeardMs, token).ConfigureAwait(false);
        // The barge-in latency inside the gateway: the trigger received → the stop handed to the caller's socket.
        var clearMicros = Micros(_time.GetTimestamp() - (reason == "client" ? startedAt : _messageTimestamp));
        if (onBackendLoop)
        {
            _outbound?.Reset();
        }

        if (responseActive)
        {
            output.ResetWrittenCount();
            RealtimeClientEvents.WriteResponseCancel(output);
            await SendToBackendAsync(output.WrittenMemory, token).ConfigureAwait(false);
            output.Release();
        }

        if (item is null)
        {
            return;
        }

        if (onBackendLoop && string.Equals(item, _audioItem, StringComparison.Ordinal))
        {
            _audioItem = null;
            _audioItemUtf8 = [];
        }

        if (heard.Pending is { } pending)
        {
            _ = CompleteBargeInLaterAsync(item, pending, generatedMs, reason, clearMicros, startedAt, token);
        }
        else
        {
            await CompleteBargeInAsync(item, heard, generatedMs, reason, clearMicros, null, output, token).ConfigureAwait(false);
        }
    }

    private async Task CompleteBargeInLaterAsync(string item, Task<ClearedPlayout> heard, long generatedMs, string reason, string clearMicros, long startedAt, CancellationToken token)
    {
        try
        {
            var answer = await heard.ConfigureAwait(false);
            using var output = new PooledBufferWriter(256);
            await CompleteBargeInAsync(item, answer, generatedMs, reason, clearMicros, startedAt, output, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The call ended first.
        }
        catch (Exception ex) when (ex is System.Net.WebSockets.WebSocketException or IOException)
        {
            // A socket went away; the loops end the call with the reason.
        }
    }

    /// <summary>Truncates the interrupted item at what was heard (never past what was generated), journals it, and marks its shown final.</summary>
    private async Task CompleteBargeInAsync(string item, ClearedPlayout heard, long generatedMs, string reason, string clearMicros, long? waitStarted,
        PooledBufferWriter output, CancellationToken token)
    {
        // truncate fails when audio_end_ms exceeds what was generated; a position can only lag, but clamp anyway.
        var heardMs = heard.HeardMs;
        if (generatedMs < 0)
        {
            generatedMs = heardMs;
        }

        var audioEndMs = Math.Max(0, Math.Min(heardMs, generatedMs));
        string? shownFinal;
        lock (_turnGate)
        {
            // Decided under the same lock as FinishAgentTurnAsync, so exactly one of the two shows the marked final.
            if (_interruptedItems.TryAdd(item, audioEndMs))
            {
                _interruptedOrder.Enqueue(item);
                while (_interruptedOrder.Count > MaxInterruptedItems)
                {
                    _interruptedItems.Remove(_interruptedOrder.Dequeue());
                }
            }
            else
            {
                _interruptedItems[item] = audioEndMs;
            }

            _pendingInterruption = null;
            _agentFinals.TryGetValue(item, out shownFinal);
        }

        // The backend loop's own buffer when it completes the barge-in itself; a later completion (a client's report) brings its own.
        // An item of a session replaced meanwhile is not truncated: the new session never had it.
        if (!IsStaleItem(item))
        {
            output.ResetWrittenCount();
            RealtimeClientEvents.WriteTruncate(output, item, 0, audioEndMs);
            await SendToBackendAsync(output.WrittenMemory, token).ConfigureAwait(false);
            output.Release();
        }
        CallLog.BargeIn(_logger, CallId, item, audioEndMs, generatedMs);
        var data = new Dictionary<string, string>(StringComparer.Ordinal) { ["clear_us"] = clearMicros, ["position_from"] = heard.Source };
        if (waitStarted is { } started)
        {
            data["wait_ms"] = ((long)_time.GetElapsedTime(started).TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        }

        Record(CallEventType.BargeIn, itemId: item, heardMs: audioEndMs, generatedMs: generatedMs, reason: reason, data: data);

        // When the item's final transcript has already been shown, show it again marked with what was heard.
        if (shownFinal is not null)
        {
            await _leg.ShowTranscriptAsync("agent", shownFinal, final: true, item, audioEndMs, token).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// (8) The caller left while agent audio was still playing: that turn was cut off, like a barge-in. Its text so far
    /// is journalled as an interrupted turn (or its already journalled turn is marked) with what was heard.
    /// </summary>
    private void RecordCutOffTurn()
    {
        string? item;
        try
        {
            item = _start is null ? null : _leg.UnplayedItem;
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        long heardMs = 0;
        long generatedMs = 0;
        if (item is not null)
        {
            heardMs = _leg.EstimateHeard(item);
            generatedMs = string.Equals(item, _audioItem, StringComparison.Ordinal) ? _audioItemGeneratedBytes / Math.Max(1, _leg.Format.BytesPerMs) : heardMs;
            heardMs = Math.Min(heardMs, generatedMs);
        }

        List<(string Item, string Text)> partial;
        bool alreadyInterrupted;
        lock (_turnGate)
        {
            partial = _agentText.Select(p => (p.Key, p.Value.ToString())).ToList();
            _agentText.Clear();
            alreadyInterrupted = item is not null && _interruptedItems.ContainsKey(item);
        }

        foreach (var (partialItem, text) in partial)
        {
            var cut = string.Equals(partialItem, item, StringComparison.Ordinal) && !alreadyInterrupted;
            Record(CallEventType.AgentTurn, role: "agent", text: text, itemId: partialItem, interrupted: cut ? true : null, heardMs: cut ? heardMs : null);
            if (cut)
            {
                item = null;
            }
        }

        if (item is not null && !alreadyInterrupted)
        {
            CallLog.BargeIn(_logger, CallId, item, heardMs, generatedMs);
            Record(CallEventType.BargeIn, itemId: item, heardMs: heardMs, generatedMs: generatedMs, reason: "call_ended");
        }
    }

    /// <summary>The byte length base64 text decodes to (the backend's base64 is trusted to be well formed; a leg that must be sure checks it).</summary>
    internal static int DecodedLength(ReadOnlySpan<byte> base64)
    {
        var length = base64.Length / 4 * 3;
        if (base64.Length >= 1 && base64[^1] == (byte)'=')
        {
            length--;
        }

        if (base64.Length >= 2 && base64[^2] == (byte)'=')
        {
            length--;
        }

        return length;
    }

    private static void EnsureCapacity(ref byte[] buffer, int size)
    {
        if (buffer.Length < size)
        {
            // Grows rarely (larger messages than seen before); steady state reuses the buffer.
            buffer = new byte[Math.Max(size, buffer.Length * 2)];
        }
    }
}
