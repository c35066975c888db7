using System.Net;
using System.Net.Sockets;

namespace Switchboard.Testing.Faults;

/// <summary>
/// A fault-injection TCP proxy on 127.0.0.1 with an ephemeral port: every accepted connection is forwarded to
/// <see cref="Target"/>, and on command the proxy delays bytes, cuts connections (a clean FIN both ways), resets them
/// (RST: linger 0, then close), black-holes them (bytes stop, sockets stay open) or restores forwarding. It knows nothing
/// of the protocol above TCP, so it sits between the gateway and a backend as well as between a node and Redis or PostgreSQL.
/// </summary>
/// <remarks>
/// <see cref="Cut"/> and <see cref="Reset"/> act on the connections open now; new connections are accepted unless
/// <see cref="RefuseNew"/> is set (then they are reset at once, as a port with nothing behind it would be).
/// </remarks>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<Link> _links = [];
    private readonly Task _accept;
    private volatile FaultMode _mode = FaultMode.Forward;
    private long _delayTicks;
    private int _accepted;
    private long _discarded;

    private FaultProxy(IPEndPoint target)
    {
        Target = target;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(64);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _accept = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Where connections are forwarded.</summary>
    public IPEndPoint Target { get; }

    /// <summary>The port the proxy listens on (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>Connections accepted so far.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Connections open now (both sides up).</summary>
    public int Open
    {
        get
        {
            lock (_gate)
            {
                return _links.Count;
            }
        }
    }

    /// <summary>Bytes received while black-holed and never delivered.</summary>
    public long Discarded => Interlocked.Read(ref _discarded);

    /// <summary>What the proxy does to bytes now.</summary>
    public FaultMode Mode => _mode;

    /// <summary>New connections are reset at once instead of forwarded (the target looks gone).</summary>
    public bool RefuseNew { get; set; }

    /// <summary>Each chunk waits this long before it is forwarded (zero: none).</summary>
    public TimeSpan Delay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _delayTicks));
        set => Interlocked.Exchange(ref _delayTicks, value.Ticks);
    }

    /// <summary>Starts a proxy to <paramref name="target"/>.</summary>
    public static FaultProxy Start(IPEndPoint target) => new(target);

    /// <summary>Starts a proxy to 127.0.0.1:<paramref name="targetPort"/>.</summary>
    public static FaultProxy Start(int targetPort) => new(new IPEndPoint(IPAddress.Loopback, targetPort));

    /// <summary>Rewrites <paramref name="url"/>'s host and port to this proxy's (the scheme and path are kept).</summary>
    public Uri Through(Uri url) => new UriBuilder(url) { Host = "127.0.0.1", Port = Port }.Uri;

    /// <summary>Closes every open connection cleanly on both sides (FIN): the peers see the stream end.</summary>
    public void Cut() => CloseAll(reset: false);

    /// <summary>Resets every open connection on both sides (RST): the peers see a connection reset.</summary>
    public void Reset() => CloseAll(reset: true);

    /// <summary>Stops forwarding (bytes are held back, never delivered) while keeping every socket open.</summary>
    public void BlackHole() => _mode = FaultMode.BlackHole;

    /// <summary>Forwards again, without delay and accepting new connections. Bytes black-holed meanwhile stay lost.</summary>
    public void Restore()
    {
        Delay = TimeSpan.Zero;
        RefuseNew = false;
        _mode = FaultMode.Forward;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            _ = Task.Run(() => LinkAsync(client));
        }
    }

    private async Task LinkAsync(Socket client)
    {
        if (RefuseNew)
        {
            Close(client, reset: true);
            return;
        }

        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        try
        {
            await server.ConnectAsync(Target, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Nothing listens at the target: the client sees what it would have seen there.
            Close(client, reset: true);
            server.Dispose();
            return;
        }

        var link = new Link(client, server);
        lock (_gate)
        {
            _links.Add(link);
        }

        try
        {
            await Task.WhenAll(PumpAsync(link, client, server), PumpAsync(link, server, client)).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                _links.Remove(link);
            }

            link.Close(reset: false);
        }
    }

    /// <summary>Copies one direction until its source ends; then the other side learns of it the same way (FIN or RST).</summary>
    private async Task PumpAsync(Link link, Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var n = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    // A clean end: pass the FIN on (unless the link was torn down meanwhile).
                    if (!link.Closed)
                    {
                        try
                        {
                            to.Shutdown(SocketShutdown.Send);
                        }
                        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                        {
                        }
                    }

                    return;
                }

                if (_mode == FaultMode.BlackHole)
                {
                    Interlocked.Add(ref _discarded, n);
                    continue;
                }

                var delay = Delay;
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, _stop.Token).ConfigureAwait(false);
                }

                if (_mode == FaultMode.BlackHole)
                {
                    Interlocked.Add(ref _discarded, n);
                    continue;
                }

                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // One side was reset or closed under us: the other side is reset too (what a broken path looks like).
            link.Close(reset: !link.Closed);
        }
    }

    private void CloseAll(bool reset)
    {
        Link[] links;
        lock (_gate)
        {
            links = [.. _links];
        }

        foreach (var link in links)
        {
            link.Close(reset);
        }
    }

    private static void Close(Socket socket, bool reset)
    {
        try
        {
            if (reset)
            {
                // Linger on with a zero timeout: close sends RST instead of FIN and drops unsent data.
                socket.LingerState = new LingerOption(true, 0);
            }
            else
            {
                socket.Shutdown(SocketShutdown.Both);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }

        socket.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        CloseAll(reset: true);
        await _accept.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    /// <summary>One proxied connection: the accepted client socket and the socket to the target.</summary>
    private sealed class Link(Socket client, Socket server)
    {
        private int _closed;

        public bool Closed => Volatile.Read(ref _closed) != 0;

        public void Close(bool reset)
        {
            if (Interlocked.Exchange(ref _closed, 1) != 0)
            {
                return;
            }

            FaultProxy.Close(client, reset);
            FaultProxy.Close(server, reset);
        }
    }
}
