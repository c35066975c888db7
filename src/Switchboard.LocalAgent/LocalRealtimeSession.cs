using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Switchboard.Configuration;
using Switchboard.LocalAgent.Protocol;
using Switchboard.LocalAgent.Replies;
using Switchboard.LocalAgent.Scenarios;

namespace Switchboard.LocalAgent;

/// <summary>
/// One connection to the local realtime backend: speaks the OpenAI Realtime GA protocol over a WebSocket
/// until the socket closes. Inbound events are handled one at a time by the receive loop; responses stream
/// on their own task (one after another), and all sends go through <see cref="LocalEventSender"/>.
/// State shared between the two (items, responses, planner) is guarded by <c>_gate</c>.
/// </summary>
internal sealed partial class LocalRealtimeSession : IDisposable
{
    /// <summary>Largest client message accepted; larger ones close the socket with 1009, like the real service's limit.</summary>
    public const int MaxMessageBytes = 15 * 1024 * 1024;

    private const string DefaultModel = "gpt-realtime";

    private readonly WebSocket _socket;
    private readonly LocalBackendOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly LocalEventSender _sender;
    private readonly LocalReplyPlanner _planner;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, LocalItem> _items = new(StringComparer.Ordinal);
    private readonly List<LocalTruncation> _truncations = [];
    private readonly List<LocalResponseContext> _responses = [];
    private readonly string _conversationId = LocalIds.Conversation();

    private LocalSessionConfig _config;
    private string? _lastItemId;
    private Task _responseChain = Task.CompletedTask;
    private bool _audioProduced;
    private volatile bool _serverStopping;
    private int _disposed;
    private CancellationToken _sessionToken;

    public LocalRealtimeSession(WebSocket socket, LocalBackendOptions options, LocalScenario? scenario, ILogger logger, TimeProvider time, string? model = null)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(time);
        _socket = socket;
        _options = options;
        _logger = logger;
        _time = time;
        _sender = new LocalEventSender(socket);
        _planner = new LocalReplyPlanner(options.Mode, scenario);
        var expiresAt = time.GetUtcNow().AddHours(1).ToUnixTimeSeconds();
        _config = new LocalSessionConfig(LocalIds.Session(), string.IsNullOrWhiteSpace(model) ? DefaultModel : model, expiresAt);
        _input = NewInputPipeline(_config, timelineOffsetMs: 0);
    }

    /// <summary>The <c>sess_…</c> id reported in <c>session.created</c>.</summary>
    public string SessionId => _config.Id;

    /// <summary>Truncations accepted so far (a snapshot).</summary>
    public IReadOnlyList<LocalTruncation> Truncations
    {
        get
        {
            lock (_gate)
            {
                return [.. _truncations];
            }
        }
    }

    /// <summary>
    /// Runs the session until the socket closes. When <paramref name="cancellationToken"/> fires (server
    /// stopping), responses are cancelled and a 1001 close frame is sent; the session ends when the client
    /// answers it or the server aborts the connection.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // Sends and receives never take the caller's token: cancelling a WebSocket operation aborts the
        // socket, and a stopping server should say goodbye with a close frame instead.
        using var sessionCts = new CancellationTokenSource();
        _sessionToken = sessionCts.Token;
        _logger.SessionStarted(SessionId, _options.Mode);
        var reason = "closed by client";
        try
        {
            using var stopping = cancellationToken.UnsafeRegister(static state => ((LocalRealtimeSession)state!).OnServerStopping(), this);
            await SendSessionAsync(LocalServerEventTypes.SessionCreated).ConfigureAwait(false);
            reason = await ReceiveLoopAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException)
        {
            reason = "connection lost";
        }
        catch (Exception ex)
        {
            reason = "failed";
            _logger.SessionFailed(ex, SessionId);
            await CloseQuietlyAsync(WebSocketCloseStatus.InternalServerError, "internal error").ConfigureAwait(false);
        }
        finally
        {
            if (_serverStopping)
            {
                reason = "server stopping";
            }

            CancelResponses("client_cancelled");
            await sessionCts.CancelAsync().ConfigureAwait(false);
            Task chain;
            lock (_gate)
            {
                chain = _responseChain;
            }

            await chain.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            Dispose();
            _logger.SessionEnded(SessionId, reason);
        }
    }

    /// <summary>Releases pooled buffers; <see cref="RunAsync"/> does this when it ends.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _input.Dispose();
        ArrayPool<byte>.Shared.Return(_decodedAudio);
        _decodedAudio = [];
        _sender.Dispose();
    }

    private void OnServerStopping()
    {
        _serverStopping = true;
        CancelResponses("client_cancelled");
        _ = CloseQuietlyAsync(WebSocketCloseStatus.EndpointUnavailable, "server stopping");
    }

    private async Task<string> ReceiveLoopAsync()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (true)
            {
                var count = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (count == buffer.Length)
                    {
                        // Grow to one byte past the limit so an oversized message is detected, not truncated.
                        var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, MaxMessageBytes + 1));
                        buffer.AsSpan(0, count).CopyTo(bigger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                    }

                    result = await _socket.ReceiveAsync(buffer.AsMemory(count), CancellationToken.None).ConfigureAwait(false);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        CancelResponses("client_cancelled");
                        await CloseQuietlyAsync(WebSocketCloseStatus.NormalClosure, "").ConfigureAwait(false);
                        return "closed by client";
                    }

                    count += result.Count;
                    if (count > MaxMessageBytes)
                    {
                        _logger.MessageTooBig(SessionId, MaxMessageBytes);
                        CancelResponses("client_cancelled");
                        await CloseQuietlyAsync(WebSocketCloseStatus.MessageTooBig, "message exceeds 15 MiB").ConfigureAwait(false);
                        return "message too big";
                    }
                }
                while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Binary)
                {
                    await SendErrorAsync(new LocalProtocolError("invalid_event", "Binary messages are not supported; send JSON text events."), null, null).ConfigureAwait(false);
                    continue;
                }

                await HandleMessageAsync(buffer.AsMemory(0, count)).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private ValueTask HandleMessageAsync(ReadOnlyMemory<byte> message)
    {
        LocalClientEnvelope envelope;
        try
        {
            envelope = LocalClientEventReader.Read(message.Span, ref _scratch);
        }
        catch (JsonException)
        {
            return SendErrorAsync(new LocalProtocolError("invalid_json", "The server could not parse the message as JSON. Client events must be JSON objects."), null, null);
        }

        if (envelope.Kind == LocalClientEventKind.InputAudioBufferAppend)
        {
            return HandleAppendAsync(message, envelope);
        }

        return HandleOtherAsync(message, envelope);
    }

    private async ValueTask HandleOtherAsync(ReadOnlyMemory<byte> message, LocalClientEnvelope envelope)
    {
        var eventId = LocalClientEventReader.EventId(message.Span, envelope);
        var type = LocalClientEventReader.Type(message.Span, envelope);
        if (envelope.Kind == LocalClientEventKind.Missing)
        {
            await SendErrorAsync(new LocalProtocolError("invalid_event", "The 'type' field is missing.", "type"), eventId, type).ConfigureAwait(false);
            return;
        }

        if (envelope.Kind == LocalClientEventKind.Unknown)
        {
            await SendErrorAsync(
                LocalProtocolError.InvalidValue("type", $"Invalid value: '{type}'. Supported values are: 'session.update', 'input_audio_buffer.append', 'input_audio_buffer.commit', 'input_audio_buffer.clear', 'conversation.item.create', 'conversation.item.truncate', 'conversation.item.delete', 'conversation.item.retrieve', 'response.create', and 'response.cancel'."),
                eventId,
                type).ConfigureAwait(false);
            return;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(message);
        }
        catch (JsonException)
        {
            // The envelope reader stops at the end of the object; trailing garbage surfaces here.
            await SendErrorAsync(new LocalProtocolError("invalid_json", "The server could not parse the message as JSON. Client events must be JSON objects."), eventId, type).ConfigureAwait(false);
            return;
        }

        using var owned = document;
        var root = document.RootElement;
        var error = envelope.Kind switch
        {
            LocalClientEventKind.SessionUpdate => await HandleSessionUpdateAsync(root).ConfigureAwait(false),
            LocalClientEventKind.InputAudioBufferCommit => await HandleCommitAsync().ConfigureAwait(false),
            LocalClientEventKind.InputAudioBufferClear => await HandleClearAsync().ConfigureAwait(false),
            LocalClientEventKind.ConversationItemCreate => await HandleItemCreateAsync(root).ConfigureAwait(false),
            LocalClientEventKind.ConversationItemTruncate => await HandleTruncateAsync(root).ConfigureAwait(false),
            LocalClientEventKind.ConversationItemDelete => await HandleItemDeleteAsync(root).ConfigureAwait(false),
            LocalClientEventKind.ConversationItemRetrieve => await HandleItemRetrieveAsync(root).ConfigureAwait(false),
            LocalClientEventKind.ResponseCreate => HandleResponseCreate(root),
            LocalClientEventKind.ResponseCancel => HandleResponseCancel(root),
            LocalClientEventKind.OutputAudioBufferClear => new LocalProtocolError("invalid_value", "output_audio_buffer.clear is only supported on WebRTC and SIP connections.", "type"),
            LocalClientEventKind.TranscriptionSessionUpdate => new LocalProtocolError("invalid_value", "The local backend supports only 'realtime' sessions, not transcription sessions.", "type"),
            _ => null,
        };

        if (error is { } e)
        {
            await SendErrorAsync(e, eventId, type).ConfigureAwait(false);
        }
    }

    private async ValueTask<LocalProtocolError?> HandleSessionUpdateAsync(JsonElement root)
    {
        if (!root.TryGetProperty("session", out var session))
        {
            return LocalProtocolError.MissingParameter("session");
        }

        bool voiceLocked;
        lock (_gate)
        {
            voiceLocked = _audioProduced;
        }

        var next = _config.Apply(session, voiceLocked, out var error);
        if (next is null)
        {
            return error;
        }

        var previous = _config;
        lock (_gate)
        {
            _config = next;
        }

        if (next.InputFormat != previous.InputFormat)
        {
            // A new format starts a new buffer; the timeline (audio_start_ms) keeps counting.
            var old = _input;
            _input = NewInputPipeline(next, old.TimelineMs);
            old.Dispose();
            _speechItemId = null;
        }
        else
        {
            _input.ConfigureVad(next.TurnDetection?.EffectiveSilenceMs);
        }

        await SendSessionAsync(LocalServerEventTypes.SessionUpdated).ConfigureAwait(false);
        return null;
    }

    private LocalInputPipeline NewInputPipeline(LocalSessionConfig config, long timelineOffsetMs)
    {
        var pipeline = new LocalInputPipeline(config.InputFormat, _options.MaxTurnSeconds * 1000, _options.VadThresholdDbfs, _options.MinSpeechMs, timelineOffsetMs);
        pipeline.ConfigureVad(config.TurnDetection?.EffectiveSilenceMs);
        return pipeline;
    }

    private ValueTask<bool> SendSessionAsync(JsonEncodedText type) =>
        _sender.SendAsync(type, _config, static (w, config) =>
        {
            w.WritePropertyName("session"u8);
            config.WriteTo(w);
        }, _sessionToken);

    private async ValueTask SendErrorAsync(LocalProtocolError error, string? clientEventId, string? clientEventType)
    {
        _logger.ClientError(SessionId, clientEventType, error.Code);
        await _sender.SendAsync(LocalServerEventTypes.Error, (error, clientEventId), static (w, s) =>
        {
            w.WriteStartObject("error"u8);
            w.WriteString("type"u8, s.error.Type);
            w.WriteString("code"u8, s.error.Code);
            w.WriteString("message"u8, s.error.Message);
            if (s.error.Param is null)
            {
                w.WriteNull("param"u8);
            }
            else
            {
                w.WriteString("param"u8, s.error.Param);
            }

            if (s.clientEventId is null)
            {
                w.WriteNull("event_id"u8);
            }
            else
            {
                w.WriteString("event_id"u8, s.clientEventId);
            }

            w.WriteEndObject();
        }, _sessionToken).ConfigureAwait(false);
    }

    private async Task CloseQuietlyAsync(WebSocketCloseStatus status, string description)
    {
        // Bounded: a peer that stopped reading must not keep the session (or host shutdown) waiting.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2), _time);
        await _sender.CloseOutputAsync(status, description, timeout.Token).ConfigureAwait(false);
    }
}
