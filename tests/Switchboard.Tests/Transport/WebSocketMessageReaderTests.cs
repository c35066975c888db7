using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Switchboard.Transport;

namespace Switchboard.Tests.Transport;

/// <summary>
/// The reader against the runtime's WebSocket over a real loopback TCP connection: whole messages, fragments,
/// the size limit, close, and no buffer held while waiting for the next frame.
/// </summary>
public sealed class WebSocketMessageReaderTests : IAsyncLifetime
{
    private WebSocket _server = null!;
    private WebSocket _client = null!;

    public async Task InitializeAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var clientSocket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var accept = listener.AcceptSocketAsync();
        await clientSocket.ConnectAsync((IPEndPoint)listener.LocalEndpoint);
        var serverSocket = await accept;
        _server = WebSocket.CreateFromStream(new NetworkStream(serverSocket, ownsSocket: true), new WebSocketCreationOptions { IsServer = true });
        _client = WebSocket.CreateFromStream(new NetworkStream(clientSocket, ownsSocket: true), new WebSocketCreationOptions { IsServer = false });
    }

    public Task DisposeAsync()
    {
        _server.Dispose();
        _client.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Reads_whole_messages_in_order_and_holds_no_buffer_while_waiting()
    {
        using var reader = new WebSocketMessageReader(_server, 1024, initialBytes: 64);
        await SendTextAsync("first");
        await SendTextAsync(new string('x', 300)); // larger than the initial 64-byte buffer: grows

        Assert.Equal(ReceiveStatus.Text, await reader.ReadAsync(CancellationToken.None));
        Assert.Equal("first", Text(reader));
        Assert.True(reader.HoldsBuffer);
        Assert.Equal(ReceiveStatus.Text, await reader.ReadAsync(CancellationToken.None));
        Assert.Equal(new string('x', 300), Text(reader));

        var pending = reader.ReadAsync(CancellationToken.None).AsTask();
        await Task.Delay(50);
        Assert.False(pending.IsCompleted);
        Assert.False(reader.HoldsBuffer); // waiting for the next frame costs no receive buffer

        await SendTextAsync("third");
        Assert.Equal(ReceiveStatus.Text, await pending);
        Assert.Equal("third", Text(reader));
    }

    [Fact]
    public async Task Joins_fragments_into_one_message()
    {
        using var reader = new WebSocketMessageReader(_server, 1024, initialBytes: 16);
        await _client.SendAsync(Encoding.UTF8.GetBytes("{\"event\":"), WebSocketMessageType.Text, endOfMessage: false, CancellationToken.None);
        await _client.SendAsync(Encoding.UTF8.GetBytes("\"media\","), WebSocketMessageType.Text, endOfMessage: false, CancellationToken.None);
        await _client.SendAsync(Encoding.UTF8.GetBytes("\"n\":1}"), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

        Assert.Equal(ReceiveStatus.Text, await reader.ReadAsync(CancellationToken.None));
        Assert.Equal("{\"event\":\"media\",\"n\":1}", Text(reader));
    }

    [Fact]
    public async Task An_empty_message_is_an_empty_text_message()
    {
        using var reader = new WebSocketMessageReader(_server, 1024);
        await SendTextAsync("");
        await SendTextAsync("next");

        Assert.Equal(ReceiveStatus.Text, await reader.ReadAsync(CancellationToken.None));
        Assert.Equal(0, reader.Message.Length);
        Assert.Equal(ReceiveStatus.Text, await reader.ReadAsync(CancellationToken.None));
        Assert.Equal("next", Text(reader));
    }

    [Fact]
    public async Task A_message_over_the_limit_is_too_large()
    {
        using var reader = new WebSocketMessageReader(_server, 100, initialBytes: 32);
        await SendTextAsync(new string('y', 101));

        Assert.Equal(ReceiveStatus.TooLarge, await reader.ReadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_message_exactly_at_the_limit_is_read()
    {
        using var reader = new WebSocketMessageReader(_server, 100, initialBytes: 32);
        await SendTextAsync(new string('z', 100));

        Assert.Equal(ReceiveStatus.Text, await reader.ReadAsync(CancellationToken.None));
        Assert.Equal(100, reader.Message.Length);
    }

    [Fact]
    public async Task Binary_and_close_are_reported()
    {
        using var reader = new WebSocketMessageReader(_server, 1024);
        await _client.SendAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);
        Assert.Equal(ReceiveStatus.Binary, await reader.ReadAsync(CancellationToken.None));
        Assert.Equal(new byte[] { 1, 2, 3 }, reader.Message.ToArray());

        await _client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
        Assert.Equal(ReceiveStatus.Closed, await reader.ReadAsync(CancellationToken.None));
        Assert.False(reader.HoldsBuffer);
    }

    [Fact]
    public async Task Cancelling_a_wait_throws_and_holds_nothing()
    {
        using var reader = new WebSocketMessageReader(_server, 1024);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await reader.ReadAsync(cts.Token));
        Assert.False(reader.HoldsBuffer);
    }

    private Task SendTextAsync(string text) =>
        _client.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    private static string Text(WebSocketMessageReader reader) => Encoding.UTF8.GetString(reader.Message.Span);
}
