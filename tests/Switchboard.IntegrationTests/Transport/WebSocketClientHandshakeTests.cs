using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Switchboard.Transport;

namespace Switchboard.IntegrationTests.Transport;

/// <summary><see cref="WebSocketClient"/>'s handshake against scripted servers on a real loopback socket.</summary>
public class WebSocketClientHandshakeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Connect_FirstFrameInSameWriteAs101_FrameIsReceived()
    {
        await using var server = RawHandshakeServer.Start(async (request, stream, ct) =>
        {
            var secondFrame = RawHandshakeServer.TextFrame("second");
            // 101, the whole first frame and the first two bytes of the second in one segment; the rest later.
            byte[] first = [.. Encoding.ASCII.GetBytes(RawHandshakeServer.SwitchingProtocols(request)), .. RawHandshakeServer.TextFrame("first"), .. secondFrame[..2]];
            await stream.WriteAsync(first, ct);
            await Task.Delay(100, ct);
            await stream.WriteAsync(secondFrame.AsMemory(2), ct);
        });

        using var socket = await ConnectAsync(server.Url);

        Assert.Equal("first", await ReceiveTextAsync(socket));
        Assert.Equal("second", await ReceiveTextAsync(socket));
    }

    [Fact]
    public async Task Connect_OnlyFrameArrivedWith101_ReaderWaitingWithZeroByteReceiveGetsIt()
    {
        // The gateway's reader waits with a zero-byte receive; the frame that came with the 101 is already
        // buffered and nothing else will arrive, so that wait must end at once instead of reading the socket.
        await using var server = RawHandshakeServer.Start(async (request, stream, ct) =>
        {
            byte[] reply = [.. Encoding.ASCII.GetBytes(RawHandshakeServer.SwitchingProtocols(request)), .. RawHandshakeServer.TextFrame("{\"type\":\"session.created\"}")];
            await stream.WriteAsync(reply, ct);
            await Task.Delay(Timeout, ct);
        });

        using var socket = await ConnectAsync(server.Url);
        using var reader = new WebSocketMessageReader(socket, 1024);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));

        Assert.Equal(ReceiveStatus.Text, await reader.ReadAsync(cts.Token));
        Assert.Equal("{\"type\":\"session.created\"}", Encoding.UTF8.GetString(reader.Message.Span));
    }

    [Fact]
    public async Task Connect_SendsUpgradeRequestWithEndpointHeaders()
    {
        await using var server = RawHandshakeServer.Start((request, stream, ct) =>
            stream.WriteAsync(Encoding.ASCII.GetBytes(RawHandshakeServer.SwitchingProtocols(request)), ct).AsTask());

        using var socket = await ConnectAsync(server.Url, [new("Authorization", "Bearer sk-raw"), new("api-key", "k")]);

        var lines = (await server.Request).Split("\r\n");
        Assert.Equal("GET /v1/realtime?model=m HTTP/1.1", lines[0]);
        Assert.Contains($"Host: 127.0.0.1:{server.Url.Port}", lines);
        Assert.Contains("Upgrade: websocket", lines);
        Assert.Contains("Connection: Upgrade", lines);
        Assert.Contains("Sec-WebSocket-Version: 13", lines);
        Assert.Contains("Authorization: Bearer sk-raw", lines);
        Assert.Contains("api-key: k", lines);
        Assert.Equal(WebSocketState.Open, socket.State);
    }

    [Fact]
    public async Task Connect_WrongAccept_ThrowsWebSocketException()
    {
        await using var server = RawHandshakeServer.Start((_, stream, ct) => stream.WriteAsync(Encoding.ASCII.GetBytes(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"), ct).AsTask());

        var ex = await Assert.ThrowsAsync<WebSocketException>(() => ConnectAsync(server.Url));
        Assert.Contains("Sec-WebSocket-Accept", ex.Message, StringComparison.Ordinal);
        await AssertClosedAsync(server);
    }

    [Fact]
    public async Task Connect_401_ThrowsWebSocketExceptionNamingTheStatus()
    {
        await using var server = RawHandshakeServer.Start((_, stream, ct) => stream.WriteAsync(Encoding.ASCII.GetBytes(
            "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"), ct).AsTask());

        var ex = await Assert.ThrowsAsync<WebSocketException>(() => ConnectAsync(server.Url));
        Assert.Equal("The server returned status code '401' when status code '101' was expected (Unauthorized).", ex.Message);
        await AssertClosedAsync(server);
    }

    [Fact]
    public async Task Connect_HeadersOver16KiB_ThrowsWebSocketException()
    {
        await using var server = RawHandshakeServer.Start(async (_, stream, ct) =>
        {
            await stream.WriteAsync("HTTP/1.1 101 Switching Protocols\r\n"u8.ToArray(), ct);
            var padding = Encoding.ASCII.GetBytes("X-Padding: " + new string('a', 1000) + "\r\n");
            for (var i = 0; i < 20; i++)
            {
                await stream.WriteAsync(padding, ct);
            }
        });

        var ex = await Assert.ThrowsAsync<WebSocketException>(() => ConnectAsync(server.Url));
        Assert.Contains("16384", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_ServerClosesMidHandshake_ThrowsWebSocketException()
    {
        await using var server = RawHandshakeServer.Start(async (_, stream, ct) =>
        {
            await stream.WriteAsync("HTTP/1.1 101 Switching Protocols\r\nUpgr"u8.ToArray(), ct);
            stream.Socket.Shutdown(SocketShutdown.Both);
        });

        var ex = await Assert.ThrowsAsync<WebSocketException>(() => ConnectAsync(server.Url));
        Assert.Equal(WebSocketError.ConnectionClosedPrematurely, ex.WebSocketErrorCode);
    }

    [Fact]
    public async Task Connect_ServerNeverAnswers_CancellationHonoured()
    {
        await using var server = RawHandshakeServer.Start((_, _, ct) => Task.Delay(System.Threading.Timeout.Infinite, ct));

        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var started = DateTime.UtcNow;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            WebSocketClient.ConnectAsync(server.Url, [], TimeSpan.Zero, cts.Token));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Connect_Refused_ThrowsWebSocketException()
    {
        var port = Switchboard.IntegrationTests.Gateway.TestPorts.Unused();

        var ex = await Assert.ThrowsAsync<WebSocketException>(() => ConnectAsync(new Uri($"ws://127.0.0.1:{port}/v1/realtime")));
        Assert.IsType<SocketException>(ex.InnerException);
    }

    [Fact]
    public async Task Abort_AfterConnect_ClosesTheTcpConnection()
    {
        await using var server = RawHandshakeServer.Start((request, stream, ct) =>
            stream.WriteAsync(Encoding.ASCII.GetBytes(RawHandshakeServer.SwitchingProtocols(request)), ct).AsTask());
        var socket = await ConnectAsync(server.Url);

        socket.Abort();

        await AssertClosedAsync(server);
        socket.Dispose();
    }

    [Fact]
    public async Task Dispose_WithPrefixedStream_ClosesTheTcpConnection()
    {
        await using var server = RawHandshakeServer.Start((request, stream, ct) =>
        {
            byte[] answer = [.. Encoding.ASCII.GetBytes(RawHandshakeServer.SwitchingProtocols(request)), .. RawHandshakeServer.TextFrame("hi")];
            return stream.WriteAsync(answer, ct).AsTask();
        });
        var socket = await ConnectAsync(server.Url);
        Assert.Equal("hi", await ReceiveTextAsync(socket));

        socket.Dispose();

        await AssertClosedAsync(server);
    }

    private static async Task<WebSocket> ConnectAsync(Uri url, KeyValuePair<string, string>[]? headers = null)
    {
        using var cts = new CancellationTokenSource(Timeout);
        return await WebSocketClient.ConnectAsync(url, headers ?? [], TimeSpan.FromSeconds(20), cts.Token);
    }

    private static async Task<string> ReceiveTextAsync(WebSocket socket)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var buffer = new byte[1024];
        var result = await socket.ReceiveAsync(buffer.AsMemory(), cts.Token);
        Assert.Equal(WebSocketMessageType.Text, result.MessageType);
        Assert.True(result.EndOfMessage);
        return Encoding.UTF8.GetString(buffer, 0, result.Count);
    }

    private static async Task AssertClosedAsync(RawHandshakeServer server) =>
        Assert.True(await server.ClientGone.WaitAsync(Timeout), "the client's connection should be closed");
}
