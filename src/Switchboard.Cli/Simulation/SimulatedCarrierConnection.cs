using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Switchboard.Carriers.Twilio;

namespace Switchboard.Cli.Simulation;

/// <summary>
/// One carrier WebSocket to the gateway, driven step by step: the carrier's protocol messages with automatic
/// sequence numbers, chunk counters and timestamps, arbitrary raw frames for negative tests, receiving, and closing.
/// Sends are serialised (a WebSocket allows one send at a time); receive from one task only.
/// </summary>
internal sealed class SimulatedCarrierConnection : IAsyncDisposable
{
    /// <summary>Largest gateway message accepted (Telnyx RTP chunks may hold up to 30 s of audio).</summary>
    public const int MaxMessageBytes = 8 * 1024 * 1024;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Carriers write '+' in phone numbers and base64 literally; the default encoder would escape it.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = false,
    };

    private readonly ClientWebSocket _socket;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ArrayBufferWriter<byte> _sendBuffer = new(4096);
    private readonly Utf8JsonWriter _writer;
    private byte[] _receiveBuffer = new byte[64 * 1024];
    private long _sequenceNumber;
    private long _chunk;

    private SimulatedCarrierConnection(ClientWebSocket socket, ICallerProtocol protocol, string url)
    {
        _socket = socket;
        Protocol = protocol;
        Url = url;
        _writer = new Utf8JsonWriter(_sendBuffer, WriterOptions);
    }

    /// <summary>The carrier protocol spoken on this connection.</summary>
    public ICallerProtocol Protocol { get; }

    /// <summary>The stream's identifiers.</summary>
    public CallIdentity Identity => Protocol.Identity;

    /// <summary>The URL connected to (including any Telnyx token).</summary>
    public string Url { get; }

    /// <summary>State of the underlying WebSocket.</summary>
    public WebSocketState State => _socket.State;

    /// <summary>The close status the gateway sent, once it has.</summary>
    public WebSocketCloseStatus? CloseStatus { get; private set; }

    /// <summary>The close description the gateway sent, once it has.</summary>
    public string? CloseDescription { get; private set; }

    /// <summary>True once the gateway sent a close frame or the connection dropped.</summary>
    public bool RemoteClosed { get; private set; }

    /// <summary>True when the connection dropped without a close handshake.</summary>
    public bool ConnectionLost { get; private set; }

    /// <summary>Media frames sent so far.</summary>
    public int MediaFramesSent { get; private set; }

    /// <summary>
    /// Opens the WebSocket. For Twilio with <paramref name="authToken"/>, signs the upgrade with
    /// <c>X-Twilio-Signature</c> over the exact URL and no parameters. For Telnyx with <paramref name="token"/>,
    /// appends <c>?token=</c>. Failures become <see cref="SimulationException"/> with a message for humans.
    /// </summary>
    public static async Task<SimulatedCarrierConnection> ConnectAsync(
        string url,
        ICallerProtocol protocol,
        string? authToken = null,
        string? token = null,
        IEnumerable<KeyValuePair<string, string>>? headers = null,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        var uri = ValidateUrl(url);
        var connectUrl = url;
        if (!string.IsNullOrEmpty(token))
        {
            connectUrl += (uri.Query.Length > 0 ? "&" : "?") + "token=" + Uri.EscapeDataString(token);
            uri = new Uri(connectUrl);
        }

        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        if (protocol.Carrier == CarrierKind.Twilio && !string.IsNullOrEmpty(authToken))
        {
            socket.Options.SetRequestHeader("X-Twilio-Signature", TwilioSignature.Compute(authToken, url));
        }

        foreach (var (name, value) in headers ?? [])
        {
            socket.Options.SetRequestHeader(name, value);
        }

        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            await socket.ConnectAsync(uri, timeoutSource.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or HttpRequestException or OperationCanceledException)
        {
            var status = socket.HttpStatusCode;
            socket.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
            throw new SimulationException(DescribeConnectFailure(url, protocol.Carrier, status, ex), ex);
        }

        return new SimulatedCarrierConnection(socket, protocol, connectUrl);
    }

    /// <summary>Checks that <paramref name="url"/> is an absolute ws:// or wss:// URL.</summary>
    public static Uri ValidateUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != "ws" && uri.Scheme != "wss"))
        {
            throw new SimulationException($"'{url}' is not a WebSocket URL; expected ws://host:port/path or wss://…");
        }

        return uri;
    }

    /// <summary>Sends <c>connected</c>.</summary>
    public Task SendConnectedAsync(CancellationToken cancellationToken = default) =>
        SendAsync(static (p, w, _) => p.WriteConnected(w), cancellationToken, sequenced: false);

    /// <summary>Sends <c>start</c> with the given custom parameters (Twilio) or client_state fields (Telnyx).</summary>
    public Task SendStartAsync(IReadOnlyList<KeyValuePair<string, string>>? parameters = null, CancellationToken cancellationToken = default) =>
        SendAsync((p, w, seq) => p.WriteStart(w, seq, parameters ?? []), cancellationToken);

    /// <summary>
    /// Sends one <c>media</c> message with <paramref name="payload"/> (raw codec bytes). Chunks count from 1;
    /// the timestamp defaults to 20 ms per chunk sent before this one.
    /// </summary>
    public Task SendMediaAsync(ReadOnlyMemory<byte> payload, long? timestampMs = null, CancellationToken cancellationToken = default) =>
        SendAsync(
            (p, w, seq) =>
            {
                var chunk = ++_chunk;
                MediaFramesSent++;
                p.WriteMedia(w, seq, chunk, timestampMs ?? ((chunk - 1) * StreamFormat.FrameMs), payload.Span);
            },
            cancellationToken);

    /// <summary>Sends a <c>dtmf</c> message.</summary>
    public Task SendDtmfAsync(char digit, CancellationToken cancellationToken = default) =>
        SendAsync((p, w, seq) => p.WriteDtmf(w, seq, digit, DateTimeOffset.UtcNow), cancellationToken);

    /// <summary>Sends a <c>mark</c> echo.</summary>
    public Task SendMarkAsync(string name, CancellationToken cancellationToken = default) =>
        SendAsync((p, w, seq) => p.WriteMark(w, seq, name), cancellationToken);

    /// <summary>Sends <c>stop</c>.</summary>
    public Task SendStopAsync(CancellationToken cancellationToken = default) =>
        SendAsync((p, w, seq) => p.WriteStop(w, seq), cancellationToken);

    /// <summary>Sends <paramref name="text"/> as one text frame, exactly as given (malformed JSON welcome).</summary>
    public Task SendRawAsync(string text, CancellationToken cancellationToken = default) =>
        SendRawAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, cancellationToken);

    /// <summary>Sends <paramref name="data"/> as one frame of <paramref name="type"/>, e.g. binary frames a carrier never sends.</summary>
    public async Task SendRawAsync(ReadOnlyMemory<byte> data, WebSocketMessageType type, CancellationToken cancellationToken = default)
    {
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            await _socket.SendAsync(data, type, endOfMessage: true, cancellationToken);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>
    /// Receives the next gateway message, interpreted by the carrier protocol. Returns null once the gateway
    /// closed the socket or the connection dropped (see <see cref="CloseStatus"/> and <see cref="ConnectionLost"/>).
    /// </summary>
    public async Task<GatewayMessage?> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        if (RemoteClosed)
        {
            return null;
        }

        var length = 0;
        var tooLarge = false;
        try
        {
            while (true)
            {
                if (length == _receiveBuffer.Length)
                {
                    if (_receiveBuffer.Length >= MaxMessageBytes)
                    {
                        // Keep reading to stay in sync with the frame boundaries, but throw the data away.
                        tooLarge = true;
                        length = 0;
                    }
                    else
                    {
                        Array.Resize(ref _receiveBuffer, _receiveBuffer.Length * 2);
                    }
                }

                var result = await _socket.ReceiveAsync(_receiveBuffer.AsMemory(length), cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    RemoteClosed = true;
                    CloseStatus = _socket.CloseStatus;
                    CloseDescription = _socket.CloseStatusDescription;
                    return null;
                }

                length += result.Count;
                if (!result.EndOfMessage)
                {
                    continue;
                }

                if (tooLarge)
                {
                    return new GatewayMessage(GatewayMessageKind.Invalid, string.Empty, Problem: $"message larger than {MaxMessageBytes} bytes");
                }

                if (result.MessageType == WebSocketMessageType.Binary)
                {
                    return new GatewayMessage(GatewayMessageKind.Invalid, $"<{length} binary bytes>", Problem: "binary frame (carriers accept JSON text frames only)");
                }

                string text;
                try
                {
                    text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(_receiveBuffer, 0, length);
                }
                catch (DecoderFallbackException)
                {
                    return new GatewayMessage(GatewayMessageKind.Invalid, "<invalid UTF-8>", Problem: "text frame is not valid UTF-8");
                }

                return Protocol.Parse(text);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
        {
            RemoteClosed = true;
            ConnectionLost = true;
            return null;
        }
    }

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for the gateway to close the socket, collecting what it sends meanwhile.
    /// </summary>
    public async Task<GatewayClose> WaitForCloseAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var messages = new List<GatewayMessage>();
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            while (await ReceiveAsync(timeoutSource.Token) is { } message)
            {
                messages.Add(message);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // A cancelled receive aborts a ClientWebSocket; report the timeout rather than a lost connection.
            return new GatewayClose(CloseStatus, CloseDescription, false, true, messages);
        }

        return new GatewayClose(CloseStatus, CloseDescription, ConnectionLost, false, messages);
    }

    /// <summary>
    /// Starts (or completes) the close handshake from the carrier side. Does not wait for the gateway's reply;
    /// keep receiving (or call <see cref="WaitForCloseAsync"/>) to see its close status.
    /// </summary>
    public async Task CloseOutputAsync(WebSocketCloseStatus status = WebSocketCloseStatus.NormalClosure, string? description = null, CancellationToken cancellationToken = default)
    {
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync(status, description, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
        {
            // The connection is already gone; nothing left to close.
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Aborts the socket without a close handshake.</summary>
    public void Abort() => _socket.Abort();

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        _writer.Dispose();
        _sendLock.Dispose();
        return ValueTask.CompletedTask;
    }

    private static string DescribeConnectFailure(string url, CarrierKind carrier, HttpStatusCode status, Exception ex)
    {
        if (ex is OperationCanceledException)
        {
            return $"timed out connecting to {url}";
        }

        switch (status)
        {
            case HttpStatusCode.Forbidden when carrier == CarrierKind.Twilio:
                return $"gateway rejected the signature (HTTP 403 on the WebSocket upgrade to {url}); check --auth-token / TWILIO_AUTH_TOKEN and that --url is the exact public URL the gateway validates";
            case HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden when carrier == CarrierKind.Telnyx:
                return $"gateway rejected the token (HTTP {(int)status} on the WebSocket upgrade to {url}); check --token / TELNYX_STREAM_TOKEN";
            case HttpStatusCode.NotFound:
                return $"no WebSocket endpoint at {url} (HTTP 404); is the path right for --carrier {carrier.ToString().ToLowerInvariant()}?";
            case not 0:
                return $"the gateway refused the WebSocket upgrade to {url} with HTTP {(int)status} {status}";
        }

        for (var inner = ex; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socketError)
            {
                return socketError.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused => $"connection refused by {url}; is the gateway running (switchboard serve)?",
                    SocketError.HostNotFound or SocketError.NoData => $"cannot resolve the host in {url}",
                    _ => $"cannot connect to {url}: {socketError.Message}",
                };
            }
        }

        return $"cannot open a WebSocket to {url}: {ex.Message}";
    }

    private async Task SendAsync(Action<ICallerProtocol, Utf8JsonWriter, long> write, CancellationToken cancellationToken, bool sequenced = true)
    {
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            // Sequence numbers are assigned under the lock so they follow the order messages hit the wire.
            _sendBuffer.ResetWrittenCount();
            _writer.Reset();
            write(Protocol, _writer, sequenced ? ++_sequenceNumber : 0);
            _writer.Flush();
            await _socket.SendAsync(_sendBuffer.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        finally
        {
            _sendLock.Release();
        }
    }
}
