using System.Text;
using System.Text.Json;
using Switchboard.Audio;
using Switchboard.Configuration;
using Switchboard.LocalAgent.Protocol;
using Switchboard.LocalAgent.Replies;

namespace Switchboard.LocalAgent;

/// <summary>Responses: creation, cancellation, and streaming their events.</summary>
internal sealed partial class LocalRealtimeSession
{
    private LocalProtocolError? HandleResponseCreate(JsonElement root)
    {
        var textOutput = _config.TextOutput;
        var outputFormat = _config.OutputFormat;
        var voiceJson = _config.VoiceJson;
        var outOfBand = false;
        string? metadataJson = null;
        if (root.TryGetProperty("response", out var response) && response.ValueKind == JsonValueKind.Object)
        {
            if (response.TryGetProperty("output_modalities", out var modalities))
            {
                if (modalities.ValueKind != JsonValueKind.Array || modalities.GetArrayLength() != 1
                    || modalities[0].ValueKind != JsonValueKind.String || modalities[0].GetString() is not ("audio" or "text"))
                {
                    return LocalProtocolError.InvalidValue("response.output_modalities", "Invalid modalities: supported combinations are ['text'] and ['audio'].");
                }

                textOutput = modalities[0].GetString() == "text";
            }

            if (response.TryGetProperty("conversation", out var conversation) && conversation.ValueKind == JsonValueKind.String)
            {
                outOfBand = conversation.GetString() == "none";
            }

            if (response.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object)
            {
                metadataJson = metadata.GetRawText();
            }

            if (response.TryGetProperty("audio", out var audio) && audio.ValueKind == JsonValueKind.Object
                && audio.TryGetProperty("output", out var output) && output.ValueKind == JsonValueKind.Object)
            {
                if (output.TryGetProperty("format", out var format))
                {
                    if (!RealtimeAudioFormats.TryParse(format, "response.audio.output.format", out outputFormat, out var formatError))
                    {
                        return formatError;
                    }
                }

                if (output.TryGetProperty("voice", out var voice) && voice.ValueKind is JsonValueKind.String or JsonValueKind.Object)
                {
                    voiceJson = voice.GetRawText();
                }
            }
        }
        else if (root.TryGetProperty("response", out var notObject) && notObject.ValueKind != JsonValueKind.Null)
        {
            return LocalProtocolError.InvalidType("response", "an object");
        }

        if (!outOfBand)
        {
            lock (_gate)
            {
                // A cancelled response is on its way out; a new one simply queues behind it.
                var active = _responses.Find(r => !r.OutOfBand && !r.IsCancelled);
                if (active is not null)
                {
                    return new LocalProtocolError(
                        "conversation_already_has_active_response",
                        $"Conversation already has an active response in progress: {active.Id}. Wait until the response is finished before creating a new one.");
                }
            }
        }

        StartResponse(outOfBand, textOutput, outputFormat, voiceJson, metadataJson);
        return null;
    }

    private LocalProtocolError? HandleResponseCancel(JsonElement root)
    {
        var responseId = root.TryGetProperty("response_id", out var idJson) && idJson.ValueKind == JsonValueKind.String ? idJson.GetString() : null;
        lock (_gate)
        {
            var target = responseId is null
                ? _responses.Find(r => !r.IsCancelled)
                : _responses.Find(r => r.Id == responseId && !r.IsCancelled);
            if (target is not null && target.TryCancel("client_cancelled"))
            {
                return null;
            }
        }

        return new LocalProtocolError("response_cancel_not_active", "Cancellation failed: no active response found");
    }

    /// <summary>Cancels every response not yet done; returns their ids.</summary>
    private List<string> CancelResponses(string reason)
    {
        var cancelled = new List<string>();
        lock (_gate)
        {
            foreach (var response in _responses)
            {
                if (response.TryCancel(reason))
                {
                    cancelled.Add(response.Id);
                }
            }
        }

        return cancelled;
    }

    /// <summary>
    /// Plans a response now (so script order follows event order) and queues its streaming after any
    /// response still running: the local agent streams one response at a time.
    /// </summary>
    private void StartResponse(bool outOfBand, bool textOutput, AudioFormat outputFormat, string voiceJson, string? metadataJson)
    {
        lock (_gate)
        {
            var plan = _planner.Plan(outOfBand, textOutput);
            var context = new LocalResponseContext(
                LocalIds.Response(), plan, textOutput, outputFormat, voiceJson, outOfBand, metadataJson, outOfBand ? null : _conversationId);
            _responses.Add(context);
            var previous = _responseChain;
            _responseChain = Task.Run(() => RunResponseAsync(previous, context));
            _logger.ResponseStarted(SessionId, context.Id, outOfBand, plan.FunctionCall is not null);
        }
    }

    private async Task RunResponseAsync(Task previous, LocalResponseContext context)
    {
        await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        double audioMs = 0;
        try
        {
            audioMs = await StreamResponseAsync(context).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _logger.ResponseFailed(ex, SessionId, context.Id);
        }
        finally
        {
            lock (_gate)
            {
                _responses.Remove(context);
            }

            _logger.ResponseFinished(SessionId, context.Id, context.IsCancelled ? "cancelled" : "completed", audioMs);
            context.Dispose();
        }
    }

    /// <summary>Sends the whole event sequence of one response; returns the milliseconds of audio sent.</summary>
    private async Task<double> StreamResponseAsync(LocalResponseContext context)
    {
        var token = _sessionToken;
        await _sender.SendAsync(LocalServerEventTypes.ResponseCreated, context, static (w, c) =>
        {
            w.WritePropertyName("response"u8);
            c.WriteTo(w, done: false);
        }, token).ConfigureAwait(false);

        var plan = context.Plan;
        var outputIndex = 0;
        double audioMs = 0;
        if (plan.HasMessage)
        {
            audioMs = await StreamMessageAsync(context, outputIndex).ConfigureAwait(false);
            outputIndex++;
        }

        if (plan.FunctionCall is { } call && !context.IsCancelled)
        {
            await StreamFunctionCallAsync(context, call, outputIndex).ConfigureAwait(false);
        }

        await _sender.SendAsync(LocalServerEventTypes.ResponseDone, context, static (w, c) =>
        {
            w.WritePropertyName("response"u8);
            c.WriteTo(w, done: true);
        }, token).ConfigureAwait(false);
        return audioMs;
    }

    private async Task<double> StreamMessageAsync(LocalResponseContext context, int outputIndex)
    {
        var token = _sessionToken;
        var item = new LocalItem(LocalIds.Item(), LocalItemKind.AssistantMessage) { Role = "assistant", AudioContent = !context.TextOutput, Status = "in_progress" };
        var previous = AddResponseItem(context, item);
        var ids = new DeltaIds(context.Id, item.Id, outputIndex);

        await _sender.SendAsync(LocalServerEventTypes.OutputItemAdded, (ids, item), static (w, s) =>
        {
            w.WriteString("response_id"u8, s.ids.ResponseId);
            w.WriteNumber("output_index"u8, s.ids.OutputIndex);
            w.WritePropertyName("item"u8);
            s.item.WriteTo(w, contentEmpty: true);
        }, token).ConfigureAwait(false);
        if (!context.OutOfBand)
        {
            await SendItemEventAsync(LocalServerEventTypes.ItemAdded, item, previous, contentEmpty: true).ConfigureAwait(false);
        }

        await SendContentPartAsync(LocalServerEventTypes.ContentPartAdded, ids, context.TextOutput, "").ConfigureAwait(false);

        double audioMs = 0;
        string said;
        if (context.TextOutput)
        {
            said = context.IsCancelled ? "" : context.Plan.Transcript;
            // Word by word, like a model streaming tokens, so clients see several deltas before the done.
            foreach (var piece in SplitTranscript(said))
            {
                await SendTextDeltaAsync(LocalServerEventTypes.TextDelta, ids, piece).ConfigureAwait(false);
            }

            await _sender.SendAsync(LocalServerEventTypes.TextDone, (ids, said), static (w, s) =>
            {
                WriteDeltaIds(w, s.ids);
                w.WriteString("text"u8, s.said);
            }, token).ConfigureAwait(false);
        }
        else
        {
            (said, audioMs) = await StreamAudioAsync(context, item, ids).ConfigureAwait(false);
            await _sender.SendAsync(LocalServerEventTypes.AudioTranscriptDone, (ids, said), static (w, s) =>
            {
                WriteDeltaIds(w, s.ids);
                w.WriteString("transcript"u8, s.said);
            }, token).ConfigureAwait(false);
            await _sender.SendAsync(LocalServerEventTypes.AudioDone, ids, static (w, s) => WriteDeltaIds(w, s), token).ConfigureAwait(false);
        }

        lock (_gate)
        {
            // A truncated item has lost its server-side transcript; keep it that way.
            if (item.TruncatedAtMs is null)
            {
                item.Text = said;
            }

            item.Status = context.IsCancelled ? "incomplete" : "completed";
        }

        await SendContentPartAsync(LocalServerEventTypes.ContentPartDone, ids, context.TextOutput, item.Text ?? "").ConfigureAwait(false);
        await _sender.SendAsync(LocalServerEventTypes.OutputItemDone, (ids, item), static (w, s) =>
        {
            w.WriteString("response_id"u8, s.ids.ResponseId);
            w.WriteNumber("output_index"u8, s.ids.OutputIndex);
            w.WritePropertyName("item"u8);
            s.item.WriteTo(w);
        }, token).ConfigureAwait(false);
        if (!context.OutOfBand)
        {
            await SendItemEventAsync(LocalServerEventTypes.ItemDone, item, previous).ConfigureAwait(false);
        }

        return audioMs;
    }

    /// <summary>
    /// Streams audio deltas of <see cref="LocalBackendOptions.ChunkMs"/> each, with transcript pieces spread
    /// among them. Pacing schedules chunk n at (audio before n) / PaceFactor after the start, measured on
    /// <see cref="TimeProvider"/>, so delays do not accumulate drift. Returns what was said and sent.
    /// </summary>
    private async Task<(string Said, double AudioMs)> StreamAudioAsync(LocalResponseContext context, LocalItem item, DeltaIds ids)
    {
        var format = context.OutputFormat;
        var audio = context.IsCancelled ? [] : LocalAudioRenderer.Render(context.Plan.Audio, format, _options.MaxTurnSeconds * 1000);
        var chunkBytes = (int)Math.Max(format.BytesPerSample, format.BytesForMs(_options.ChunkMs));
        var chunkCount = (audio.Length + chunkBytes - 1) / chunkBytes;
        var pieces = SplitTranscript(context.Plan.Transcript);
        var said = new StringBuilder();
        var nextPiece = 0;
        var pace = _options.PaceFactor;
        var start = _time.GetTimestamp();
        double sentMs = 0;
        var stoppedEarly = false;
        for (var chunk = 0; chunk < chunkCount; chunk++)
        {
            // Transcript pieces keep roughly in step with the audio, as the real service's do.
            while (nextPiece < pieces.Count && (long)nextPiece * chunkCount <= (long)chunk * pieces.Count)
            {
                await SendTextDeltaAsync(LocalServerEventTypes.AudioTranscriptDelta, ids, pieces[nextPiece]).ConfigureAwait(false);
                said.Append(pieces[nextPiece++]);
            }

            if (pace > 0)
            {
                var due = TimeSpan.FromMilliseconds(sentMs / pace);
                var wait = due - _time.GetElapsedTime(start);
                if (wait > TimeSpan.Zero)
                {
                    try
                    {
                        await Task.Delay(wait, _time, context.CancellationToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        // Cancelled while waiting for the next chunk's time: handled just below.
                    }
                }
            }

            var offset = chunk * chunkBytes;
            var length = Math.Min(chunkBytes, audio.Length - offset);
            var chunkMs = format.DurationMs(length);
            lock (_gate)
            {
                if (context.IsCancelled || item.TruncatedAtMs is not null)
                {
                    stoppedEarly = true;
                    break;
                }

                // Counted before sending: the client may truncate as soon as it has the chunk.
                item.AudioMsGenerated += chunkMs;
                _audioProduced = true;
            }

            var sent = await _sender.SendAsync(LocalServerEventTypes.AudioDelta, (ids, audio: new ReadOnlyMemory<byte>(audio, offset, length)), static (w, s) =>
            {
                WriteDeltaIds(w, s.ids);
                w.WriteBase64String("delta"u8, s.audio.Span);
            }, _sessionToken).ConfigureAwait(false);
            if (!sent)
            {
                stoppedEarly = true;
                break;
            }

            sentMs += chunkMs;
        }

        if (!stoppedEarly && !context.IsCancelled)
        {
            while (nextPiece < pieces.Count)
            {
                await SendTextDeltaAsync(LocalServerEventTypes.AudioTranscriptDelta, ids, pieces[nextPiece]).ConfigureAwait(false);
                said.Append(pieces[nextPiece++]);
            }
        }
        else if (!context.IsCancelled)
        {
            // Truncated: the audio stopped, the words already promised are complete.
            while (nextPiece < pieces.Count)
            {
                said.Append(pieces[nextPiece++]);
            }
        }

        return (said.ToString(), sentMs);
    }

    private async Task StreamFunctionCallAsync(LocalResponseContext context, LocalPlannedFunctionCall call, int outputIndex)
    {
        var token = _sessionToken;
        var item = new LocalItem(LocalIds.Item(), LocalItemKind.FunctionCall) { CallId = call.CallId, Name = call.Name, Arguments = call.Arguments, Status = "in_progress" };
        var previous = AddResponseItem(context, item);
        var ids = new DeltaIds(context.Id, item.Id, outputIndex);
        await _sender.SendAsync(LocalServerEventTypes.OutputItemAdded, (ids, item), static (w, s) =>
        {
            w.WriteString("response_id"u8, s.ids.ResponseId);
            w.WriteNumber("output_index"u8, s.ids.OutputIndex);
            w.WritePropertyName("item"u8);
            s.item.WriteTo(w, contentEmpty: true);
        }, token).ConfigureAwait(false);
        if (!context.OutOfBand)
        {
            await SendItemEventAsync(LocalServerEventTypes.ItemAdded, item, previous, contentEmpty: true).ConfigureAwait(false);
        }

        await _sender.SendAsync(LocalServerEventTypes.FunctionCallArgumentsDelta, (ids, call), static (w, s) =>
        {
            w.WriteString("response_id"u8, s.ids.ResponseId);
            w.WriteString("item_id"u8, s.ids.ItemId);
            w.WriteNumber("output_index"u8, s.ids.OutputIndex);
            w.WriteString("call_id"u8, s.call.CallId);
            w.WriteString("delta"u8, s.call.Arguments);
        }, token).ConfigureAwait(false);
        await _sender.SendAsync(LocalServerEventTypes.FunctionCallArgumentsDone, (ids, call), static (w, s) =>
        {
            w.WriteString("response_id"u8, s.ids.ResponseId);
            w.WriteString("item_id"u8, s.ids.ItemId);
            w.WriteNumber("output_index"u8, s.ids.OutputIndex);
            w.WriteString("call_id"u8, s.call.CallId);
            w.WriteString("name"u8, s.call.Name);
            w.WriteString("arguments"u8, s.call.Arguments);
        }, token).ConfigureAwait(false);

        lock (_gate)
        {
            item.Status = "completed";
        }

        await _sender.SendAsync(LocalServerEventTypes.OutputItemDone, (ids, item), static (w, s) =>
        {
            w.WriteString("response_id"u8, s.ids.ResponseId);
            w.WriteNumber("output_index"u8, s.ids.OutputIndex);
            w.WritePropertyName("item"u8);
            s.item.WriteTo(w);
        }, token).ConfigureAwait(false);
        if (!context.OutOfBand)
        {
            await SendItemEventAsync(LocalServerEventTypes.ItemDone, item, previous).ConfigureAwait(false);
        }
    }

    /// <summary>Adds a response's output item; in-band items join the conversation. Returns the previous item id.</summary>
    private string? AddResponseItem(LocalResponseContext context, LocalItem item)
    {
        lock (_gate)
        {
            context.Output.Add(item);
            if (context.OutOfBand)
            {
                return null;
            }

            var previous = _lastItemId;
            _items[item.Id] = item;
            _lastItemId = item.Id;
            return previous;
        }
    }

    private ValueTask<bool> SendContentPartAsync(JsonEncodedText type, DeltaIds ids, bool textOutput, string content) =>
        _sender.SendAsync(type, (ids, textOutput, content), static (w, s) =>
        {
            WriteDeltaIds(w, s.ids);
            w.WriteStartObject("part"u8);
            if (s.textOutput)
            {
                w.WriteString("type"u8, "output_text"u8);
                w.WriteString("text"u8, s.content);
            }
            else
            {
                w.WriteString("type"u8, "output_audio"u8);
                w.WriteString("transcript"u8, s.content);
            }

            w.WriteEndObject();
        }, _sessionToken);

    private ValueTask<bool> SendTextDeltaAsync(JsonEncodedText type, DeltaIds ids, string delta) =>
        _sender.SendAsync(type, (ids, delta), static (w, s) =>
        {
            WriteDeltaIds(w, s.ids);
            w.WriteString("delta"u8, s.delta);
        }, _sessionToken);

    private static void WriteDeltaIds(Utf8JsonWriter writer, DeltaIds ids)
    {
        writer.WriteString("response_id"u8, ids.ResponseId);
        writer.WriteString("item_id"u8, ids.ItemId);
        writer.WriteNumber("output_index"u8, ids.OutputIndex);
        writer.WriteNumber("content_index"u8, 0);
    }

    /// <summary>Splits a transcript into word pieces (each keeps its trailing space) for delta events.</summary>
    internal static List<string> SplitTranscript(string transcript)
    {
        var pieces = new List<string>();
        var start = 0;
        for (var i = 0; i < transcript.Length; i++)
        {
            if (transcript[i] == ' ')
            {
                pieces.Add(transcript[start..(i + 1)]);
                start = i + 1;
            }
        }

        if (start < transcript.Length)
        {
            pieces.Add(transcript[start..]);
        }

        return pieces;
    }

    /// <summary>The ids every delta event carries.</summary>
    private readonly record struct DeltaIds(string ResponseId, string ItemId, int OutputIndex);
}
