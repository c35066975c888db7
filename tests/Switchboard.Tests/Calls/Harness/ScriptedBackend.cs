using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Switchboard.Agents.Tools;
using Switchboard.Artifacts;
using Switchboard.Audio;
using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Journal;

namespace Switchboard.Tests.Calls.Harness;

/// <summary>
/// A fake agent leg on the server end of an in-memory WebSocket: records every client event the bridge sends
/// (<c>session.update</c>, <c>input_audio_buffer.append</c>, <c>response.create</c>, <c>response.cancel</c>,
/// <c>conversation.item.truncate</c>, <c>conversation.item.create</c>…) and sends the GA server events a test scripts,
/// in the exact shapes the GA API uses (the names <see cref="RealtimeEventScanner"/> and <see cref="RealtimeEventParser"/> read).
/// </summary>
internal sealed class ScriptedBackend : IAsyncDisposable
{
    private readonly WebSocket _socket;
    private readonly HarnessSignal _signal;
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private readonly Lock _gate = new();
    private readonly List<ClientEvent> _received = [];
    private readonly Task _receiveLoop;
    private int _eventCounter;
    private int _markersSeen;
    private volatile bool _closeReceived;

    public ScriptedBackend(WebSocket socket, HarnessSignal signal)
    {
        _socket = socket;
        _signal = signal;
        _receiveLoop = Task.Run(ReceiveLoopAsync);
    }

    /// <summary>Every client event received so far, in order.</summary>
    public IReadOnlyList<ClientEvent> Received
    {
        get
        {
            lock (_gate)
            {
                return _received.ToArray();
            }
        }
    }

    /// <summary>The type of the harness's own barrier messages on the agent leg (never recorded as client events).</summary>
    public const string MarkerType = "harness.marker";

    /// <summary>How many barrier markers have arrived (each after everything the bridge sent before it).</summary>
    public int MarkersSeen => Volatile.Read(ref _markersSeen);

    /// <summary>The bridge sent its close frame (the call is over for the agent leg).</summary>
    public bool CloseReceived => _closeReceived;

    public string? CloseDescription { get; private set; }

    /// <summary>The output format the last <c>session.update</c> asked for (μ-law until one has).</summary>
    public AudioFormat OutputFormat
    {
        get
        {
            var update = OfType("session.update").LastOrDefault();
            return update?.At("session", "audio", "output", "format") is { } format && RealtimeAudioFormats.Read(format) is { } read ? read : AudioFormat.MuLaw8k;
        }
    }

    /// <summary>The received client events of one type, in order.</summary>
    public IReadOnlyList<ClientEvent> OfType(string type) => Received.Where(e => e.Type == type).ToArray();

    /// <summary>Every received event but the audio appends (what the bridge decided, in order).</summary>
    public IReadOnlyList<ClientEvent> Control => Received.Where(e => e.Type != "input_audio_buffer.append").ToArray();

    /// <summary>Waits for the <paramref name="count"/>th received event of <paramref name="type"/> (that <paramref name="match"/> accepts) and returns it.</summary>
    public async Task<ClientEvent> WaitForAsync(string type, Func<ClientEvent, bool>? match = null, int count = 1)
    {
        IReadOnlyList<ClientEvent> Matching() => OfType(type).Where(e => match?.Invoke(e) ?? true).ToArray();
        await _signal.WaitUntilAsync(() => Matching().Count >= count, () => $"client event #{count} of type {type}; received: {string.Join(", ", Control.Select(e => e.Type))}");
        return Matching()[count - 1];
    }

    // ---- GA server events ----

    public Task SessionCreatedAsync(string sessionId = "sess_harness") =>
        SendEventAsync("session.created", w => WriteSession(w, sessionId));

    public Task SessionUpdatedAsync(string sessionId = "sess_harness") =>
        SendEventAsync("session.updated", w => WriteSession(w, sessionId));

    public Task SpeechStartedAsync(string itemId = "item_caller", long audioStartMs = 1000) =>
        SendEventAsync("input_audio_buffer.speech_started", w =>
        {
            w.WriteNumber("audio_start_ms", audioStartMs);
            w.WriteString("item_id", itemId);
        });

    public Task SpeechStoppedAsync(string itemId = "item_caller", long audioEndMs = 2000) =>
        SendEventAsync("input_audio_buffer.speech_stopped", w =>
        {
            w.WriteNumber("audio_end_ms", audioEndMs);
            w.WriteString("item_id", itemId);
        });

    public Task InputTranscriptAsync(string itemId, string transcript) =>
        SendEventAsync("conversation.item.input_audio_transcription.completed", w =>
        {
            w.WriteString("item_id", itemId);
            w.WriteNumber("content_index", 0);
            w.WriteString("transcript", transcript);
        });

    /// <summary><c>response.created</c>; <paramref name="metadata"/> echoes what the <c>response.create</c> asked for (an out-of-band response's tag).</summary>
    public Task ResponseCreatedAsync(string responseId, IReadOnlyDictionary<string, string>? metadata = null) =>
        SendEventAsync("response.created", w =>
        {
            w.WriteStartObject("response");
            w.WriteString("object", "realtime.response");
            w.WriteString("id", responseId);
            w.WriteString("status", "in_progress");
            w.WriteNull("status_details");
            w.WriteStartArray("output");
            w.WriteEndArray();
            WriteMetadata(w, metadata);
            w.WriteNull("usage");
            w.WriteEndObject();
        });

    /// <summary><c>response.output_item.added</c> for an assistant message (the bridge ignores it; real backends send it).</summary>
    public Task OutputItemAddedAsync(string responseId, string itemId) =>
        SendEventAsync("response.output_item.added", w =>
        {
            w.WriteString("response_id", responseId);
            w.WriteNumber("output_index", 0);
            w.WriteStartObject("item");
            w.WriteString("id", itemId);
            w.WriteString("object", "realtime.item");
            w.WriteString("type", "message");
            w.WriteString("status", "in_progress");
            w.WriteString("role", "assistant");
            w.WriteStartArray("content");
            w.WriteEndArray();
            w.WriteEndObject();
        });

    /// <summary><c>response.output_audio.delta</c> with <paramref name="audio"/> (in the session's output format) as base64.</summary>
    public Task AudioDeltaAsync(string responseId, string itemId, ReadOnlySpan<byte> audio)
    {
        var base64 = Convert.ToBase64String(audio);
        return SendEventAsync("response.output_audio.delta", w =>
        {
            WriteContentRef(w, responseId, itemId);
            w.WriteString("delta", base64);
        });
    }

    /// <summary><c>response.output_audio.delta</c> with <paramref name="ms"/> of audio in the session's output format.</summary>
    public Task AudioDeltaAsync(string responseId, string itemId, int ms) => AudioDeltaAsync(responseId, itemId, Audio(OutputFormat, ms));

    public Task AudioDoneAsync(string responseId, string itemId) =>
        SendEventAsync("response.output_audio.done", w => WriteContentRef(w, responseId, itemId));

    public Task AudioTranscriptDeltaAsync(string responseId, string itemId, string delta) =>
        SendEventAsync("response.output_audio_transcript.delta", w =>
        {
            WriteContentRef(w, responseId, itemId);
            w.WriteString("delta", delta);
        });

    public Task AudioTranscriptDoneAsync(string responseId, string itemId, string transcript) =>
        SendEventAsync("response.output_audio_transcript.done", w =>
        {
            WriteContentRef(w, responseId, itemId);
            w.WriteString("transcript", transcript);
        });

    public Task TextDeltaAsync(string responseId, string itemId, string delta) =>
        SendEventAsync("response.output_text.delta", w =>
        {
            WriteContentRef(w, responseId, itemId);
            w.WriteString("delta", delta);
        });

    public Task TextDoneAsync(string responseId, string itemId, string text) =>
        SendEventAsync("response.output_text.done", w =>
        {
            WriteContentRef(w, responseId, itemId);
            w.WriteString("text", text);
        });

    public Task FunctionCallArgumentsDoneAsync(string responseId, string itemId, string callId, string name, string argumentsJson) =>
        SendEventAsync("response.function_call_arguments.done", w =>
        {
            w.WriteString("response_id", responseId);
            w.WriteString("item_id", itemId);
            w.WriteNumber("output_index", 0);
            w.WriteString("call_id", callId);
            w.WriteString("name", name);
            w.WriteString("arguments", argumentsJson);
        });

    /// <summary><c>response.done</c> with <paramref name="status"/> (<c>completed</c>, <c>cancelled</c>, <c>failed</c>, <c>incomplete</c>) and usage.</summary>
    public Task ResponseDoneAsync(string responseId, string status = "completed", string? statusReason = null, int inputTokens = 120, int outputTokens = 80,
        IReadOnlyDictionary<string, string>? metadata = null) =>
        SendEventAsync("response.done", w =>
        {
            w.WriteStartObject("response");
            w.WriteString("object", "realtime.response");
            w.WriteString("id", responseId);
            w.WriteString("status", status);
            if (statusReason is null)
            {
                w.WriteNull("status_details");
            }
            else
            {
                w.WriteStartObject("status_details");
                w.WriteString("type", status);
                w.WriteString("reason", statusReason);
                w.WriteEndObject();
            }

            w.WriteStartArray("output");
            w.WriteEndArray();
            WriteMetadata(w, metadata);
            w.WriteStartObject("usage");
            w.WriteNumber("total_tokens", inputTokens + outputTokens);
            w.WriteNumber("input_tokens", inputTokens);
            w.WriteNumber("output_tokens", outputTokens);
            w.WriteStartObject("input_token_details");
            w.WriteNumber("text_tokens", inputTokens / 2);
            w.WriteNumber("audio_tokens", inputTokens - (inputTokens / 2));
            w.WriteNumber("cached_tokens", 0);
            w.WriteEndObject();
            w.WriteStartObject("output_token_details");
            w.WriteNumber("text_tokens", outputTokens / 4);
            w.WriteNumber("audio_tokens", outputTokens - (outputTokens / 4));
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        });

    /// <summary>An <c>error</c> event; <paramref name="clientEventId"/> names the client event it is about.</summary>
    public Task ErrorAsync(string code, string message, string type = "invalid_request_error", string? clientEventId = null) =>
        SendEventAsync("error", w =>
        {
            w.WriteStartObject("error");
            w.WriteString("type", type);
            w.WriteString("code", code);
            w.WriteString("message", message);
            w.WriteNull("param");
            if (clientEventId is null)
            {
                w.WriteNull("event_id");
            }
            else
            {
                w.WriteString("event_id", clientEventId);
            }

            w.WriteEndObject();
        });

    /// <summary>Sends one server event of <paramref name="type"/> with a fresh <c>event_id</c> and the fields <paramref name="body"/> writes.</summary>
    public Task SendEventAsync(string type, Action<Utf8JsonWriter> body)
    {
        var output = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(output))
        {
            w.WriteStartObject();
            w.WriteString("type", type);
            w.WriteString("event_id", "event_" + Interlocked.Increment(ref _eventCounter));
            body(w);
            w.WriteEndObject();
        }

        return SendRawAsync(output.WrittenMemory);
    }

    /// <summary>Sends a message as it is (malformed or unknown events included). Once the agent leg is closed, it is dropped.</summary>
    public async Task SendRawAsync(ReadOnlyMemory<byte> message)
    {
        await _sendGate.WaitAsync();
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                await _socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
        {
            // The bridge dropped the agent leg meanwhile: like any backend's late event, it goes nowhere.
        }
        finally
        {
            _sendGate.Release();
        }
    }

    /// <summary>The backend's connection breaks: no close frame (the socket's stream ends under the bridge).</summary>
    public void Abort() => _socket.Abort();

    /// <summary>The backend goes away: a close frame (the bridge should end the call <c>backend_disconnected</c>).</summary>
    public async Task CloseAsync(WebSocketCloseStatus status = WebSocketCloseStatus.InternalServerError, string reason = "harness: backend closed")
    {
        await _sendGate.WaitAsync();
        try
        {
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync(status, reason, CancellationToken.None);
            }
        }
        finally
        {
            _sendGate.Release();
        }
    }

    /// <summary><paramref name="ms"/> of a quiet tone in <paramref name="format"/> (not silence: μ-law silence is 0xFF, easy to mistake for padding).</summary>
    public static byte[] Audio(AudioFormat format, int ms)
    {
        var audio = new byte[ms * format.BytesPerMs];
        for (var i = 0; i < audio.Length; i++)
        {
            audio[i] = (byte)(0x40 + (i % 16));
        }

        return audio;
    }

    private static void WriteMetadata(Utf8JsonWriter w, IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null)
        {
            w.WriteNull("metadata");
            return;
        }

        w.WriteStartObject("metadata");
        foreach (var (key, value) in metadata)
        {
            w.WriteString(key, value);
        }

        w.WriteEndObject();
    }

    private static void WriteContentRef(Utf8JsonWriter w, string responseId, string itemId)
    {
        w.WriteString("response_id", responseId);
        w.WriteString("item_id", itemId);
        w.WriteNumber("output_index", 0);
        w.WriteNumber("content_index", 0);
    }

    private void WriteSession(Utf8JsonWriter w, string sessionId)
    {
        w.WriteStartObject("session");
        w.WriteString("type", "realtime");
        w.WriteString("object", "realtime.session");
        w.WriteString("id", sessionId);
        w.WriteString("model", "gpt-realtime");
        w.WriteStartObject("audio");
        w.WriteStartObject("input");
        w.WritePropertyName("format");
        RealtimeAudioFormats.Write(w, OutputFormat);
        w.WriteEndObject();
        w.WriteStartObject("output");
        w.WritePropertyName("format");
        RealtimeAudioFormats.Write(w, OutputFormat);
        w.WriteString("voice", "marin");
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        var message = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    CloseDescription = result.CloseStatusDescription;
                    _closeReceived = true;
                    _signal.Pulse();
                    await _sendGate.WaitAsync();
                    try
                    {
                        if (_socket.State == WebSocketState.CloseReceived)
                        {
                            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                        }
                    }
                    finally
                    {
                        _sendGate.Release();
                    }

                    // The handshake is over: drop the connection, as a server does (a client waits for that after its close).
                    _socket.Abort();
                    return;
                }

                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }

                var received = ClientEvent.Parse(Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length));
                message.SetLength(0);
                if (received.Type == MarkerType)
                {
                    Interlocked.Increment(ref _markersSeen);
                }
                else
                {
                    lock (_gate)
                    {
                        _received.Add(received);
                    }
                }

                _signal.Pulse();
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The bridge aborted its end: the agent leg is gone.
        }
        finally
        {
            _signal.Pulse();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Abort();
        await _receiveLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _socket.Dispose();
        _sendGate.Dispose();
    }
}
