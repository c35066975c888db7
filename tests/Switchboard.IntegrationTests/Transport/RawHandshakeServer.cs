using System.Net;
using System.Net.Sockets;
using System.Text;
using Switchboard.Transport;

namespace Switchboard.IntegrationTests.Transport;

/// <summary>
/// A one-connection TCP server on loopback that answers the WebSocket handshake with exactly the bytes a test
/// scripts, so the client's handling of odd but legal (or hostile) servers can be observed on a real socket.
/// </summary>
internal sealed class RawHandshakeServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Task _serving;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<string> _request = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<bool> _clientGone = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private RawHandshakeServer(Func<string, NetworkStream, CancellationToken, Task> respond)
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _serving = ServeAsync(respond);
    }

    public Uri Url => new($"ws://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/v1/realtime?model=m");

    /// <summary>The request head the client sent (without the blank line).</summary>
    public Task<string> Request => _request.Task;

    /// <summary>Completes when the client's side of the connection ends (EOF or reset) after the script ran.</summary>
    public Task<bool> ClientGone => _clientGone.Task;

    /// <summary>Runs <paramref name="respond"/> with the request head and the connection's stream.</summary>
    public static RawHandshakeServer Start(Func<string, NetworkStream, CancellationToken, Task> respond) => new(respond);

    /// <summary>A correct 101 answer to <paramref name="request"/>.</summary>
    public static string SwitchingProtocols(string request)
    {
        var key = request.Split("\r\n").Single(l => l.StartsWith("Sec-WebSocket-Key:", StringComparison.OrdinalIgnoreCase))["Sec-WebSocket-Key:".Length..].Trim();
        return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "
            + WebSocketHandshake.ExpectedAccept(key) + "\r\n\r\n";
    }

    /// <summary>An unmasked server text frame (payload under 126 bytes).</summary>
    public static byte[] TextFrame(string text)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        return [0x81, (byte)payload.Length, .. payload];
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _serving;
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // The script may still be writing when the test is done.
        }

        _stop.Dispose();
    }

    private async Task ServeAsync(Func<string, NetworkStream, CancellationToken, Task> respond)
    {
        using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
        var stream = client.GetStream();
        var head = new List<byte>();
        var one = new byte[1];
        while (!EndsWithBlankLine(head))
        {
            if (await stream.ReadAsync(one, _stop.Token) == 0)
            {
                _request.TrySetException(new IOException("client closed before sending its request"));
                return;
            }

            head.Add(one[0]);
        }

        var request = Encoding.ASCII.GetString(head.ToArray(), 0, head.Count - 4);
        _request.TrySetResult(request);
        await respond(request, stream, _stop.Token);
        try
        {
            // Drain until the client goes away, so a test can see that disposing its socket closes the connection.
            var sink = new byte[4096];
            while (await stream.ReadAsync(sink, _stop.Token) > 0)
            {
            }
        }
        catch (IOException)
        {
            // A reset also means the client is gone.
        }

        _clientGone.TrySetResult(true);
    }

    private static bool EndsWithBlankLine(List<byte> head) =>
        head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n';
}
