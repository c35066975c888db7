using System.Net.WebSockets;
using System.Text;
using Switchboard.Transport;

namespace Switchboard.IntegrationTests.Transport;

/// <summary><see cref="WebSocketClient"/> against a real Kestrel WebSocket endpoint.</summary>
public class WebSocketClientKestrelTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Connect_HeadersArriveAndMessagesFlowBothWays()
    {
        await using var server = await KestrelEchoServer.StartAsync();
        using var socket = await ConnectAsync(server.Url, "Bearer good", ("X-Trace", "t-1"));

        var headers = Assert.Single(server.Requests).Headers;
        Assert.Equal("Bearer good", headers["Authorization"]);
        Assert.Equal("t-1", headers["X-Trace"]);
        Assert.Equal(server.Url.Authority, headers["Host"]);

        await SendAsync(socket, "hello");
        Assert.Equal("echo:hello", await ReceiveTextAsync(socket));
        var large = new string('x', 40_000);
        await SendAsync(socket, large);
        Assert.Equal("echo:" + large, await ReceiveTextAsync(socket));
    }

    [Fact]
    public async Task ServerClose_StatusAndDescriptionReachTheClient()
    {
        await using var server = await KestrelEchoServer.StartAsync();
        using var socket = await ConnectAsync(server.Url, "Bearer good");

        await SendAsync(socket, "close");
        using var cts = new CancellationTokenSource(Timeout);
        var result = await socket.ReceiveAsync(new byte[64].AsMemory(), cts.Token);

        Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        Assert.Equal((WebSocketCloseStatus)4001, socket.CloseStatus);
        Assert.Equal("closed by server", socket.CloseStatusDescription);
    }

    [Fact]
    public async Task ClientClose_StatusAndDescriptionReachTheServer()
    {
        await using var server = await KestrelEchoServer.StartAsync();
        using var socket = await ConnectAsync(server.Url, "Bearer good");

        using var cts = new CancellationTokenSource(Timeout);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "call ended", cts.Token);

        Assert.Equal((WebSocketCloseStatus.NormalClosure, "call ended"), await server.ClientClose.WaitAsync(Timeout));
        Assert.Equal(WebSocketState.Closed, socket.State);
        Assert.Equal("bye", socket.CloseStatusDescription);
    }

    [Fact]
    public async Task Connect_WrongKey_ThrowsWebSocketExceptionWith401()
    {
        await using var server = await KestrelEchoServer.StartAsync();

        var ex = await Assert.ThrowsAsync<WebSocketException>(() => ConnectAsync(server.Url, "Bearer bad"));
        Assert.StartsWith("The server returned status code '401' when status code '101' was expected", ex.Message, StringComparison.Ordinal);
    }

    private static async Task<WebSocket> ConnectAsync(Uri url, string authorization, params (string Name, string Value)[] extra)
    {
        using var cts = new CancellationTokenSource(Timeout);
        KeyValuePair<string, string>[] headers = [new("Authorization", authorization), .. extra.Select(h => new KeyValuePair<string, string>(h.Name, h.Value))];
        return await WebSocketClient.ConnectAsync(url, headers, TimeSpan.FromSeconds(20), cts.Token);
    }

    private static async Task SendAsync(WebSocket socket, string text)
    {
        using var cts = new CancellationTokenSource(Timeout);
        await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, cts.Token);
    }

    private static async Task<string> ReceiveTextAsync(WebSocket socket)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var buffer = new byte[64 * 1024];
        var count = 0;
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(count), cts.Token);
            Assert.Equal(WebSocketMessageType.Text, result.MessageType);
            count += result.Count;
            if (result.EndOfMessage)
            {
                return Encoding.UTF8.GetString(buffer, 0, count);
            }
        }
    }
}
