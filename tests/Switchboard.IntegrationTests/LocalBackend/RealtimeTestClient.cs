using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Switchboard.IntegrationTests.LocalBackend;

/// <summary>
/// A raw GA Realtime client over <see cref="ClientWebSocket"/> for tests: sends JSON events and waits for
/// server events with explicit timeouts, so a failing test never hangs. Every event received is kept in
/// <see cref="Received"/> in arrival order.
/// </summary>
internal sealed class RealtimeTestClient : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly ClientWebSocket _socket;
    private readonly HashSet<int> _consumed = [];
    private readonly byte[] _buffer = new byte[1 << 20];

    private RealtimeTestClient(ClientWebSocket socket)
    {
        _socket = socket;
    }

    public List<JsonElement> Received { get; } = [];

    public WebSocketState State => _socket.State;

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    public static async Task<RealtimeTestClient> ConnectAsync(Uri url, string apiKey)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + apiKey);
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        await socket.ConnectAsync(new Uri(url + "?model=gpt-realtime"), timeout.Token);
        return new RealtimeTestClient(socket);
    }

    public Task SendAsync(string json) => SendRawAsync(Encoding.UTF8.GetBytes(json));

    public Task SendAsync(JsonNode node) => SendAsync(node.ToJsonString());

    public async Task SendRawAsync(byte[] utf8)
    {
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        await _socket.SendAsync(utf8, WebSocketMessageType.Text, true, timeout.Token);
    }

    public Task AppendAsync(ReadOnlySpan<byte> audio) =>
        SendAsync("{\"type\":\"input_audio_buffer.append\",\"audio\":\"" + Convert.ToBase64String(audio) + "\"}");

    /// <summary>Appends audio in 20 ms frames of <paramref name="bytesPerFrame"/> bytes.</summary>
    public async Task AppendFramesAsync(byte[] audio, int bytesPerFrame)
    {
        for (var offset = 0; offset < audio.Length; offset += bytesPerFrame)
        {
            await AppendAsync(audio.AsSpan(offset, Math.Min(bytesPerFrame, audio.Length - offset)));
        }
    }

    /// <summary>
    /// Returns the earliest event of <paramref name="type"/> (matching <paramref name="predicate"/>) not yet
    /// returned by an earlier wait, receiving more events as needed. Order-independent: events that arrived
    /// while waiting for something else are found too.
    /// </summary>
    public async Task<JsonElement> WaitForAsync(string type, Func<JsonElement, bool>? predicate = null, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        for (var i = 0; ; i++)
        {
            while (i >= Received.Count)
            {
                try
                {
                    if (await ReceiveAsync(cts.Token) is null)
                    {
                        throw new InvalidOperationException($"Socket closed ({_socket.CloseStatus}) while waiting for '{type}'. Received: {Summary()}");
                    }
                }
                catch (OperationCanceledException)
                {
                    throw new TimeoutException($"No '{type}' within {(timeout ?? DefaultTimeout).TotalSeconds} s. Received: {Summary()}");
                }
            }

            if (!_consumed.Contains(i) && Matches(Received[i], type, predicate))
            {
                _consumed.Add(i);
                return Received[i];
            }
        }
    }

    /// <summary>Events of <paramref name="type"/> received so far, in order.</summary>
    public List<JsonElement> All(string type) => Received.Where(e => e.GetProperty("type").GetString() == type).ToList();

    /// <summary>Types of all events received so far, in order.</summary>
    public List<string> Types() => Received.Select(e => e.GetProperty("type").GetString()!).ToList();

    /// <summary>Receives the next event; null when the server closed the socket.</summary>
    public async Task<JsonElement?> ReceiveAsync(CancellationToken cancellationToken)
    {
        var count = 0;
        while (true)
        {
            var result = await _socket.ReceiveAsync(_buffer.AsMemory(count), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            count += result.Count;
            if (result.EndOfMessage)
            {
                break;
            }
        }

        var element = JsonDocument.Parse(_buffer.AsMemory(0, count)).RootElement.Clone();
        Received.Add(element);
        return element;
    }

    /// <summary>Waits for the server's close frame; returns its status.</summary>
    public async Task<WebSocketCloseStatus?> WaitForCloseAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        while (await ReceiveAsync(cts.Token) is not null)
        {
        }

        return _socket.CloseStatus;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", timeout.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // Already gone.
        }

        _socket.Dispose();
    }

    private static bool Matches(JsonElement element, string type, Func<JsonElement, bool>? predicate) =>
        element.GetProperty("type").GetString() == type && (predicate is null || predicate(element));

    private string Summary() => string.Join(", ", Received.TakeLast(30).Select(e => e.GetProperty("type").GetString()));
}
