using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Switchboard.IntegrationTests.Sessions;

/// <summary>
/// A client of <c>/ws/session</c> over a raw <see cref="ClientWebSocket"/>: sends JSON, waits for messages with
/// explicit timeouts (a failing test never hangs), keeps every message received in order, and reports the close
/// code and reason the gateway sent.
/// </summary>
internal sealed class SessionTestClient : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly ClientWebSocket _socket;
    private readonly byte[] _buffer = new byte[1 << 20];
    private int _next;

    private SessionTestClient(ClientWebSocket socket) => _socket = socket;

    public List<JsonElement> Received { get; } = [];

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    public string? CloseDescription => _socket.CloseStatusDescription;

    public WebSocketState State => _socket.State;

    public static async Task<SessionTestClient> ConnectAsync(string url)
    {
        var socket = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        await socket.ConnectAsync(new Uri(url), timeout.Token);
        return new SessionTestClient(socket);
    }

    public Task SendAsync(string json) => SendRawAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text);

    public async Task SendRawAsync(byte[] bytes, WebSocketMessageType type)
    {
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        await _socket.SendAsync(bytes, type, true, timeout.Token);
    }

    public Task SendTextAsync(string text) =>
        SendAsync(JsonSerializer.Serialize(new { type = "text", payload = new { text } }));

    /// <summary>The next message not yet returned by a wait that matches; null when the socket closed first.</summary>
    public async Task<JsonElement?> WaitForAsync(Func<JsonElement, bool> match, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        while (true)
        {
            for (; _next < Received.Count; _next++)
            {
                if (match(Received[_next]))
                {
                    return Received[_next++];
                }
            }

            bool open;
            try
            {
                open = await ReceiveOneAsync(cts.Token);
            }
            catch (OperationCanceledException ex)
            {
                throw new TimeoutException($"no matching message in time; received: {Describe()}", ex);
            }

            if (!open)
            {
                return null;
            }
        }
    }

    public async Task<JsonElement> WaitForTypeAsync(string type, Func<JsonElement, bool>? also = null, TimeSpan? timeout = null) =>
        await WaitForAsync(m => m.GetProperty("type").GetString() == type && (also?.Invoke(m) ?? true), timeout)
        ?? throw new InvalidOperationException($"closed ({CloseStatus} {CloseDescription}) before a '{type}' message; received: {Describe()}");

    /// <summary>Reads until the gateway closes; returns its close code (as an int, so 4xxx codes compare naturally).</summary>
    public async Task<int> WaitForCloseAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        while (await ReceiveOneAsync(cts.Token))
        {
        }

        return (int)(CloseStatus ?? throw new InvalidOperationException("the socket ended without a close frame"));
    }

    /// <summary>Everything received, for failure messages (audio shown by its size, not its samples).</summary>
    public string Describe() => string.Join(" | ", Received.Select(m =>
        m.TryGetProperty("type", out var type) && type.ValueEquals("audio") && m.TryGetProperty("payload", out var p) && p.TryGetProperty("audio", out var audio)
            ? $"audio#{m.GetProperty("seq")}({(p.TryGetProperty("itemId", out var item) ? item : p.GetProperty("source"))}, {audio.GetString()?.Length} chars)"
            : m.GetRawText()));

    private async Task<bool> ReceiveOneAsync(CancellationToken token)
    {
        if (_socket.State is not (WebSocketState.Open or WebSocketState.CloseSent))
        {
            return false;
        }

        var count = 0;
        WebSocketReceiveResult result;
        do
        {
            result = await _socket.ReceiveAsync(new ArraySegment<byte>(_buffer, count, _buffer.Length - count), token);
            count += result.Count;
        }
        while (!result.EndOfMessage);

        if (result.MessageType == WebSocketMessageType.Close)
        {
            if (_socket.State == WebSocketState.CloseReceived)
            {
                using var close = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", close.Token);
            }

            return false;
        }

        using var doc = JsonDocument.Parse(_buffer.AsMemory(0, count));
        Received.Add(doc.RootElement.Clone());
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "test done", timeout.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
        }

        _socket.Dispose();
    }
}
