using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Switchboard.Transport;

namespace Switchboard.Tests.Transport;

/// <summary>
/// The event loop's socket and stream on real loopback TCP connections: bytes in order, the end of the stream, a full
/// send buffer waiting for the peer, WebSockets on both ends, and no allocation per message once warm.
/// </summary>
public sealed class LoopStreamTests
{
    [Fact]
    public async Task Bytes_arrive_in_order_and_the_peers_close_reads_as_the_end()
    {
        var (client, server) = await PairAsync();
        using var a = new LoopStream(client);
        using var b = new LoopStream(server);

        var sent = Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7)).ToArray();
        var writing = a.WriteAsync(sent).AsTask();
        var received = new MemoryStream();
        var buffer = new byte[1000];
        while (received.Length < sent.Length)
        {
            var read = await b.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.True(read > 0);
            received.Write(buffer, 0, read);
        }

        await writing.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(sent, received.ToArray());

        a.Socket.Shutdown();
        Assert.Equal(0, await b.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_write_larger_than_the_socket_buffers_waits_for_the_reader()
    {
        var (client, server) = await PairAsync();
        using var a = new LoopStream(client);
        using var b = new LoopStream(server);
        client.Socket.SendBufferSize = 16 * 1024;
        server.Socket.ReceiveBufferSize = 16 * 1024;

        var big = new byte[8 * 1024 * 1024];
        var writing = a.WriteAsync(big).AsTask();
        await Task.Delay(200);
        Assert.False(writing.IsCompleted); // nobody reads: the write waits for the writable edge

        var total = 0L;
        var buffer = new byte[64 * 1024];
        while (total < big.Length)
        {
            total += await b.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        }

        await writing.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(big.Length, total);
    }

    [Fact]
    public async Task A_pending_read_is_cancelled_by_its_token()
    {
        var (client, server) = await PairAsync();
        using var a = new LoopStream(client);
        using var b = new LoopStream(server);
        using var cts = new CancellationTokenSource();

        var reading = b.ReadAsync(new byte[10], cts.Token).AsTask();
        await Task.Delay(50);
        Assert.False(reading.IsCompleted);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading.WaitAsync(TimeSpan.FromSeconds(10)));

        // The socket still works after the cancelled wait.
        await a.WriteAsync("x"u8.ToArray());
        var one = new byte[1];
        Assert.Equal(1, await b.ReadAsync(one).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_read_pending_when_the_socket_is_disposed_fails()
    {
        var (client, server) = await PairAsync();
        using var a = new LoopStream(client);
        var b = new LoopStream(server);
        var reading = b.ReadAsync(new byte[10]).AsTask();
        await Task.Delay(50);
        b.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => reading.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_wake_up_that_comes_while_a_receive_drains_the_socket_ends_the_next_wait()
    {
        // The transport's hand-over: it wakes its receive loop while that loop is about to receive. The receive drains the
        // socket (clearing "readable"), and the loop's next wait must still end at once, or it waits for data that the peer
        // will only send once the hand-over is done.
        var (client, server) = await PairAsync();
        using var a = new LoopStream(client);
        using var s = server;
        await a.WriteAsync("start"u8.ToArray());
        await s.WaitReadableAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(50);

        s.WakeReader(); // no wait is pending: it must apply to the next one
        var buffer = new byte[100];
        Assert.Equal(5, s.TryReceive(buffer)); // drained: a short receive
        Assert.True(s.WaitReadableAsync().AsTask().IsCompletedSuccessfully);
        Assert.Equal(-1, s.TryReceive(buffer));
        var next = s.WaitReadableAsync().AsTask();
        Assert.False(next.IsCompleted); // only once
    }

    [Fact]
    public async Task A_reset_by_the_peer_is_an_IOException_as_on_a_NetworkStream()
    {
        var (client, server) = await PairAsync();
        using var b = new LoopStream(server);
        var reading = b.ReadAsync(new byte[10]).AsTask();
        client.Socket.LingerState = new LingerOption(true, 0); // close sends RST
        client.Dispose();
        var error = await Assert.ThrowsAsync<IOException>(() => reading.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.IsType<SocketException>(error.InnerException);
    }

    [Fact]
    public async Task Connecting_to_a_closed_port_fails_with_the_socket_error()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)probe.LocalEndPoint!).Port;
        probe.Dispose();

        var error = await Assert.ThrowsAsync<SocketException>(() => LoopSocket.ConnectAsync([IPAddress.Loopback], port, CancellationToken.None));
        Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
    }

    /// <summary>A connected loopback pair, both ends on the loop.</summary>
    internal static async Task<(LoopSocket Client, LoopSocket Server)> PairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        var accepting = Task.Run(() => listener.Accept());
        var client = await LoopSocket.ConnectAsync([IPAddress.Loopback], port, CancellationToken.None);
        var accepted = await accepting.WaitAsync(TimeSpan.FromSeconds(10));
        accepted.NoDelay = true;
        return (client, LoopSocket.Attach(accepted));
    }
}

/// <summary>Tests that count allocations process-wide run alone: no other test class allocates meanwhile.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideAllocationsCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Process-wide allocations";
}

/// <summary>The loop's message path allocates nothing once warm (WebSockets on both ends, the gateway's message reader).</summary>
[Collection(ProcessWideAllocationsCollection.Name)]
public sealed class LoopStreamAllocationTests
{
    [Fact]
    public async Task WebSocket_messages_cross_the_loop_both_ways_without_allocating_once_warm()
    {
        var (client, server) = await LoopStreamTests.PairAsync();
        using var clientSocket = WebSocket.CreateFromStream(new LoopStream(client), new WebSocketCreationOptions { IsServer = false });
        using var serverSocket = WebSocket.CreateFromStream(new LoopStream(server), new WebSocketCreationOptions { IsServer = true });
        // The gateway's reader waits for each message with a zero-byte read (no buffer held while idle).
        using var reader = new WebSocketMessageReader(serverSocket, 4096, initialBytes: 4096);
        var message = Encoding.UTF8.GetBytes("{\"event\":\"media\",\"media\":{\"payload\":\"" + new string('A', 216) + "\"}}");
        var into = new byte[4096];

        async Task RoundTripsAsync(int count)
        {
            for (var i = 0; i < count; i++)
            {
                await clientSocket.SendAsync(message.AsMemory(), WebSocketMessageType.Text, true, CancellationToken.None);
                if (await reader.ReadAsync(CancellationToken.None) != ReceiveStatus.Text)
                {
                    throw new InvalidOperationException("not a text message");
                }

                await serverSocket.SendAsync(reader.Message, WebSocketMessageType.Text, true, CancellationToken.None);
                var back = await clientSocket.ReceiveAsync(into.AsMemory(), CancellationToken.None);
                if (back.Count != message.Length || !back.EndOfMessage)
                {
                    throw new InvalidOperationException($"echo of {back.Count} bytes");
                }
            }
        }

        await RoundTripsAsync(5000);
        const int Count = 5000;
        var perMessage = double.MaxValue;
        for (var window = 0; window < 3; window++)
        {
            var before = GC.GetTotalAllocatedBytes(precise: true);
            await RoundTripsAsync(Count);
            perMessage = Math.Min(perMessage, (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)(Count * 2));
        }

        // Counted process-wide (the messages are handled on the loop threads), so the quietest of three windows is
        // taken: one object per message would be 24 B or more in every window.
        Assert.True(perMessage < 4, $"{perMessage:F1} B allocated per message");
    }

}
