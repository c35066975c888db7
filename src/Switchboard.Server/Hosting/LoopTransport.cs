using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Switchboard.Transport;

namespace Switchboard.Server.Hosting;

/// <summary>
/// Kestrel's transport for TCP endpoints on the gateway's <see cref="EventLoop"/>s (Linux, <c>Switchboard:Performance:EventLoop</c>).
/// HTTP is served as by Kestrel's own socket transport, through pipes; what it adds is <see cref="TryTakeOver"/>: after a
/// WebSocket upgrade on a plain HTTP/1.1 connection, the socket leaves the pipes and the HTTP stack and is read and written
/// directly by the loop (<see cref="LoopStream"/>), so a media message costs one <c>recv</c> and one <c>send</c> on the
/// loop thread. Unix-socket and other endpoints are left to Kestrel's socket transport.
/// </summary>
internal sealed class LoopTransport : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    private readonly ConcurrentDictionary<string, LoopConnection> _connections = new(StringComparer.Ordinal);
    private readonly IMemoryPoolFactory<byte>? _pools;

    /// <param name="services">Kestrel's memory pool factory, when registered (its pinned 4 KiB blocks, as the socket transport uses).</param>
    public LoopTransport(IServiceProvider services)
    {
        _pools = services.GetService(typeof(IMemoryPoolFactory<byte>)) as IMemoryPoolFactory<byte>;
    }

    private long _takeoversWithEarlyBytes;

    /// <summary>Hand-overs that found bytes the HTTP stack had read past the upgrade (the peer wrote before the 101 came).</summary>
    public long TakeoversWithEarlyBytes => Interlocked.Read(ref _takeoversWithEarlyBytes);

    /// <summary>Connections currently open on this transport.</summary>
    public int OpenConnections => _connections.Count;

    public bool CanBind(EndPoint endpoint) => endpoint is IPEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        if (endpoint is not IPEndPoint ip)
        {
            throw new NotSupportedException($"The event-loop transport binds IP endpoints only, not {endpoint.GetType().Name}.");
        }

        var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // As Kestrel binds: an IPv6 "any" also takes IPv4.
            if (ip.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(ip);
            socket.Listen(512);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            socket.Dispose();
            throw new AddressInUseException(ex.Message, ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var pool = _pools?.Create(new MemoryPoolOptions { Owner = "switchboard-loop" }) ?? System.Buffers.MemoryPool<byte>.Shared;
        return ValueTask.FromResult<IConnectionListener>(new LoopListener(this, socket, pool));
    }

    /// <summary>
    /// Takes the connection <paramref name="connectionId"/> out of the HTTP stack after its WebSocket upgrade: null when it
    /// is not on this transport (another transport, TLS, HTTP/2), else a stream on the socket itself that starts with any
    /// bytes the HTTP stack had already read past the upgrade. <paramref name="upgraded"/> is the HTTP stack's upgraded
    /// stream, read to its end for those bytes.
    /// </summary>
    public async Task<Stream?> TryTakeOver(string connectionId, Stream upgraded)
    {
        if (!_connections.TryGetValue(connectionId, out var connection))
        {
            return null;
        }

        return await connection.TakeOverAsync(upgraded).ConfigureAwait(false);
    }

    internal void CountEarlyBytes() => Interlocked.Increment(ref _takeoversWithEarlyBytes);

    internal void Add(LoopConnection connection) => _connections[connection.ConnectionId] = connection;

    internal void Remove(LoopConnection connection) => _connections.TryRemove(new KeyValuePair<string, LoopConnection>(connection.ConnectionId, connection));

    private sealed class LoopListener(LoopTransport transport, Socket socket, System.Buffers.MemoryPool<byte> pool) : IConnectionListener
    {
        private long _nextId;

        public EndPoint EndPoint { get; } = socket.LocalEndPoint!;

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            while (true)
            {
                Socket accepted;
                try
                {
                    accepted = await socket.AcceptAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (ObjectDisposedException)
                {
                    return null;
                }
                catch (SocketException ex) when (ex.SocketErrorCode == SocketError.OperationAborted)
                {
                    return null;
                }
                catch (SocketException)
                {
                    // The client reset before it was accepted: wait for the next.
                    continue;
                }

                try
                {
                    accepted.NoDelay = true;
                    var id = $"L{Environment.ProcessId:x}-{Interlocked.Increment(ref _nextId):x}";
                    var connection = new LoopConnection(transport, accepted, pool, id);
                    transport.Add(connection);
                    connection.Start();
                    return connection;
                }
                catch (SocketException)
                {
                    accepted.Dispose();
                }
            }
        }

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
        {
            socket.Dispose();
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            socket.Dispose();
            if (!ReferenceEquals(pool, System.Buffers.MemoryPool<byte>.Shared))
            {
                pool.Dispose();
            }

            return ValueTask.CompletedTask;
        }
    }
}
