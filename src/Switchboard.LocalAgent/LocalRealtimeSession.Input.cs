using System.Buffers;
using System.Buffers.Text;
using Switchboard.Audio;
using Switchboard.LocalAgent.Protocol;
using Switchboard.LocalAgent.Replies;

namespace Switchboard.LocalAgent;

/// <summary>The input side: appends, the VAD's turn-taking, commits and clears.</summary>
internal sealed partial class LocalRealtimeSession
{
    private readonly List<LocalVadEvent> _vadEvents = [];
    private LocalInputPipeline _input;
    private byte[] _scratch = [];
    private byte[] _decodedAudio = ArrayPool<byte>.Shared.Rent(4096);

    // The caller turn being detected: its item id and where it starts on the input timeline.
    private string? _speechItemId;
    private long _speechAudioStartMs;
    private long _speechOnsetMs;
    private long _audioAppends;

    /// <summary>Audio appends received and accepted so far (the fault tests count the caller's frames at the backend).</summary>
    public long AudioAppends => Interlocked.Read(ref _audioAppends);

    private enum AppendOutcome
    {
        Ok,
        MissingAudio,
        InvalidBase64,
    }

    /// <summary>
    /// The hot path: decode base64 straight from the received message into a reused buffer and feed the
    /// pipeline. Only when the VAD reports a transition (or on errors) does it go asynchronous.
    /// </summary>
    private ValueTask HandleAppendAsync(ReadOnlyMemory<byte> message, LocalClientEnvelope envelope)
    {
        _vadEvents.Clear();
        var outcome = DecodeAndAppend(message.Span, envelope);
        if (outcome == AppendOutcome.Ok && _vadEvents.Count == 0)
        {
            return ValueTask.CompletedTask;
        }

        return HandleAppendSlowAsync(message, envelope, outcome);
    }

    private AppendOutcome DecodeAndAppend(ReadOnlySpan<byte> message, in LocalClientEnvelope envelope)
    {
        if (!envelope.HasAudio)
        {
            return AppendOutcome.MissingAudio;
        }

        var base64 = envelope.AudioUnescaped
            ? _scratch.AsSpan(0, envelope.AudioLength)
            : message.Slice(envelope.AudioStart, envelope.AudioLength);
        var maxDecoded = Base64.GetMaxDecodedFromUtf8Length(base64.Length);
        if (_decodedAudio.Length < maxDecoded)
        {
            ArrayPool<byte>.Shared.Return(_decodedAudio);
            _decodedAudio = ArrayPool<byte>.Shared.Rent(maxDecoded);
        }

        if (Base64.DecodeFromUtf8(base64, _decodedAudio, out _, out var written) != OperationStatus.Done)
        {
            return AppendOutcome.InvalidBase64;
        }

        _input.Append(_decodedAudio.AsSpan(0, written), _vadEvents);
        Interlocked.Increment(ref _audioAppends);
        return AppendOutcome.Ok;
    }

    private async ValueTask HandleAppendSlowAsync(ReadOnlyMemory<byte> message, LocalClientEnvelope envelope, AppendOutcome outcome)
    {
        if (outcome != AppendOutcome.Ok)
        {
            var error = outcome == AppendOutcome.MissingAudio
                ? LocalProtocolError.MissingParameter("audio")
                : LocalProtocolError.InvalidValue("audio", "Invalid 'audio'. Expected base64-encoded audio bytes in the session's input format.");
            await SendErrorAsync(error, LocalClientEventReader.EventId(message.Span, envelope), "input_audio_buffer.append").ConfigureAwait(false);
            return;
        }

        // Copy: handling an event can start a response, and the list is reused by the next append.
        var events = _vadEvents.ToArray();
        foreach (var vadEvent in events)
        {
            if (vadEvent.Transition == VadTransition.SpeechStarted)
            {
                await OnSpeechStartedAsync(vadEvent.OnsetMs).ConfigureAwait(false);
            }
            else if (vadEvent.Transition == VadTransition.SpeechStopped)
            {
                await OnSpeechStoppedAsync(vadEvent.OnsetMs, vadEvent.EndMs).ConfigureAwait(false);
            }
        }
    }

    private async ValueTask OnSpeechStartedAsync(long onsetMs)
    {
        var detection = _config.TurnDetection ?? LocalTurnDetection.Default;
        _speechItemId = LocalIds.Item();
        _speechOnsetMs = onsetMs;
        _speechAudioStartMs = Math.Max(0, onsetMs - detection.EffectivePrefixPaddingMs);
        await _sender.SendAsync(LocalServerEventTypes.SpeechStarted, (audioStartMs: _speechAudioStartMs, itemId: _speechItemId), static (w, s) =>
        {
            w.WriteNumber("audio_start_ms"u8, s.audioStartMs);
            w.WriteString("item_id"u8, s.itemId);
        }, _sessionToken).ConfigureAwait(false);

        if (detection.InterruptResponse)
        {
            foreach (var cancelled in CancelResponses("turn_detected"))
            {
                _logger.BargeIn(SessionId, cancelled);
            }
        }
    }

    private async ValueTask OnSpeechStoppedAsync(long onsetMs, long endMs)
    {
        var itemId = _speechItemId ?? LocalIds.Item();
        _speechItemId = null;
        await _sender.SendAsync(LocalServerEventTypes.SpeechStopped, (endMs, itemId), static (w, s) =>
        {
            w.WriteNumber("audio_end_ms"u8, s.endMs);
            w.WriteString("item_id"u8, s.itemId);
        }, _sessionToken).ConfigureAwait(false);

        var samples = _input.TakeTurn(_speechAudioStartMs, endMs);
        _logger.CallerTurn(SessionId, itemId, endMs - onsetMs);
        await CommitTurnAsync(itemId, samples, (endMs - onsetMs) / 1000.0, speechMeasured: true).ConfigureAwait(false);

        if (_config.TurnDetection?.CreateResponse != false)
        {
            StartResponse(outOfBand: false, textOutput: _config.TextOutput, outputFormat: _config.OutputFormat, voiceJson: _config.VoiceJson, metadataJson: null);
        }
    }

    private async ValueTask<LocalProtocolError?> HandleCommitAsync()
    {
        string itemId;
        short[] samples;
        double seconds;
        bool measured;
        if (_input.InSpeech && _speechItemId is not null)
        {
            // Committing mid-speech ends the turn here.
            var endMs = _input.TimelineMs;
            itemId = _speechItemId;
            samples = _input.TakeTurn(_speechAudioStartMs, endMs);
            _input.Clear();
            seconds = (endMs - _speechOnsetMs) / 1000.0;
            measured = true;
            _speechItemId = null;
        }
        else
        {
            if (_input.BufferedMs < 100)
            {
                return new LocalProtocolError(
                    "input_audio_buffer_commit_empty",
                    $"Error committing input audio buffer: buffer too small. Expected at least 100ms of audio, but buffer only has {_input.BufferedMs.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)}ms of audio.");
            }

            itemId = LocalIds.Item();
            samples = _input.TakeAll();
            seconds = samples.Length / (double)_input.Format.SampleRate;
            measured = false;
        }

        await CommitTurnAsync(itemId, samples, seconds, measured).ConfigureAwait(false);
        return null;
    }

    private async ValueTask<LocalProtocolError?> HandleClearAsync()
    {
        _input.Clear();
        _speechItemId = null;
        await _sender.SendAsync(LocalServerEventTypes.Cleared, 0, static (_, _) => { }, _sessionToken).ConfigureAwait(false);
        return null;
    }

    /// <summary>Turns caller audio into a user item: committed, added, done, and (when on) its honest transcription.</summary>
    private async ValueTask CommitTurnAsync(string itemId, short[] samples, double seconds, bool speechMeasured)
    {
        var item = new LocalItem(itemId, LocalItemKind.UserAudio);
        string? previous;
        lock (_gate)
        {
            previous = _lastItemId;
            _items[itemId] = item;
            _lastItemId = itemId;
            _planner.OnCallerTurn(new LocalCallerTurn(samples, _input.Format.SampleRate, seconds));
        }

        await _sender.SendAsync(LocalServerEventTypes.Committed, (previous, itemId), static (w, s) =>
        {
            WriteNullableString(w, "previous_item_id"u8, s.previous);
            w.WriteString("item_id"u8, s.itemId);
        }, _sessionToken).ConfigureAwait(false);
        await SendItemEventAsync(LocalServerEventTypes.ItemAdded, item, previous).ConfigureAwait(false);
        await SendItemEventAsync(LocalServerEventTypes.ItemDone, item, previous).ConfigureAwait(false);

        if (_config.TranscriptionEnabled)
        {
            var transcript = speechMeasured ? HonestTranscript.SpeechDuration(seconds) : HonestTranscript.AudioDuration(seconds);
            item.Text = transcript;
            var usageSeconds = Math.Round(samples.Length / (double)_input.Format.SampleRate, 3);
            await _sender.SendAsync(LocalServerEventTypes.TranscriptionCompleted, (itemId, transcript, usageSeconds), static (w, s) =>
            {
                w.WriteString("item_id"u8, s.itemId);
                w.WriteNumber("content_index"u8, 0);
                w.WriteString("transcript"u8, s.transcript);
                w.WriteStartObject("usage"u8);
                w.WriteString("type"u8, "duration"u8);
                w.WriteNumber("seconds"u8, s.usageSeconds);
                w.WriteEndObject();
            }, _sessionToken).ConfigureAwait(false);
        }
    }
}
