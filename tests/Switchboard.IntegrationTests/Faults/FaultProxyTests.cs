using System.Net;
using System.Net.Sockets;
using System.Text;
using Switchboard.Testing.Faults;

namespace Switchboard.IntegrationTests.Faults;

/// <summary>The fault proxy on its own, between a client and an echo server on real loopback sockets.</summary>
public sealed class FaultProxyTests : IAsyncDisposable
{
    private readonly TcpListener _echo = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly FaultProxy _proxy;

    public FaultProxyTests()
    {
        _echo.Start();
        _ = EchoLoopAsync();
        _proxy = FaultProxy.Start(((IPEndPoint)_echo.LocalEndpoint).Port);
    }

    [Fact]
    public async Task Forwards_both_ways()
    {
        using var client = await ConnectAsync();
        Assert.Equal("hello", await RoundTripAsync(client, "hello"));
        Assert.Equal(1, _proxy.Accepted);
    }

    [Fact]
    public async Task Cut_ends_the_stream_cleanly()
    {
        using var client = await ConnectAsync();
        Assert.Equal("one", await RoundTripAsync(client, "one"));

        _proxy.Cut();

        // A FIN: the read returns 0 bytes, no exception.
        var n = await client.ReceiveAsync(new byte[16], SocketFlags.None).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, n);
    }

    [Fact]
    public async Task Reset_resets_the_connection()
    {
        using var client = await ConnectAsync();
        Assert.Equal("one", await RoundTripAsync(client, "one"));

        _proxy.Reset();

        var error = await Assert.ThrowsAsync<SocketException>(async () =>
        {
            var buffer = new byte[16];
            // The first read may still see the RST as an error on send; either way the connection is reset, not ended.
            while (await client.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(TimeSpan.FromSeconds(10)) > 0)
            {
            }

            await client.SendAsync("x"u8.ToArray(), SocketFlags.None);
        });
        Assert.Equal(SocketError.ConnectionReset, error.SocketErrorCode);
    }

    [Fact]
    public async Task Black_hole_keeps_the_socket_open_and_drops_the_bytes_until_restored()
    {
        using var client = await ConnectAsync();
        Assert.Equal("one", await RoundTripAsync(client, "one"));

        _proxy.BlackHole();
        await client.SendAsync("lost"u8.ToArray(), SocketFlags.None);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (_proxy.Discarded < 4 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.Equal(4, _proxy.Discarded);
        Assert.Equal(1, _proxy.Open);

        _proxy.Restore();
        // Only what was sent after the restore comes back: the black-holed bytes never reached the server.
        Assert.Equal("two", await RoundTripAsync(client, "two"));
    }

    [Fact]
    public async Task Delay_holds_each_chunk_back()
    {
        using var client = await ConnectAsync();
        _proxy.Delay = TimeSpan.FromMilliseconds(300);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        Assert.Equal("slow", await RoundTripAsync(client, "slow"));
        // Both directions waited: a lower bound, not a speed claim.
        // (timers may fire a little early: 2 × 300 ms less a margin).
        Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public async Task Refusing_new_connections_resets_them()
    {
        _proxy.RefuseNew = true;
        var buffer = new byte[16];
        // The reset may reach the client while it connects or on its first read.
        var error = await Record.ExceptionAsync(async () =>
        {
            using var client = await ConnectAsync();
            await client.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(TimeSpan.FromSeconds(10));
        });
        var reset = error is SocketException { SocketErrorCode: SocketError.ConnectionReset };
        Assert.True(reset, $"expected a reset, got {error?.GetType().Name ?? "a clean read"}");
    }

    private async Task<Socket> ConnectAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _proxy.Port));
        return socket;
    }

    private static async Task<string> RoundTripAsync(Socket client, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        await client.SendAsync(bytes, SocketFlags.None);
        var buffer = new byte[bytes.Length];
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await client.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        return Encoding.UTF8.GetString(buffer, 0, read);
    }

    private async Task EchoLoopAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _echo.AcceptSocketAsync(_stop.Token);
                _ = Task.Run(async () =>
                {
                    using (socket)
                    {
                        var buffer = new byte[1024];
                        try
                        {
                            int n;
                            while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None)) > 0)
                            {
                                await socket.SendAsync(buffer.AsMemory(0, n), SocketFlags.None);
                            }

                            socket.Shutdown(SocketShutdown.Send);
                        }
                        catch (SocketException)
                        {
                        }
                    }
                });
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _stop.CancelAsync();
        _echo.Stop();
        _stop.Dispose();
    }
}
