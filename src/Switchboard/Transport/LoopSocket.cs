using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading.Tasks.Sources;

namespace Switchboard.Transport;

/// <summary>
/// A connected, non-blocking TCP socket served by an <see cref="EventLoop"/>. It is registered once, edge-triggered, and
/// keeps two flags the loop sets: <em>readable</em> and <em>writable</em>. A receive is made only while the socket is
/// readable, and a receive that returns less than it asked for has drained the socket (Linux queues a new edge for data
/// that arrives after it), so the flag drops without the <c>recv</c> that would only answer <c>EAGAIN</c>. Once the peer
/// has closed (<c>EPOLLRDHUP</c>) the flag stays up so the end of stream is always read. Waits complete on the loop
/// thread and their continuations run there. The <see cref="Socket"/> owns the descriptor; nothing here starts the
/// runtime's own socket engine on it (no asynchronous <see cref="Socket"/> call is ever made).
/// </summary>
internal sealed class LoopSocket : ILoopHandler, IDisposable
{
    private readonly Socket _socket;
    private readonly nint _fd;
    private readonly EventLoop _loop;
    private readonly ulong _token;
    private readonly Lock _gate = new();
    private readonly Waiter _readWaiter;
    private readonly Waiter _writeWaiter;
    private bool _readable = true;
    private bool _writable = true;
    private bool _peerClosed;
    private bool _wakeRequested;
    private bool _disposed;

    private LoopSocket(Socket socket, EventLoop loop, bool connecting = false)
    {
        // A connect in progress: writable (EPOLLOUT) is how the kernel says it finished.
        _writable = !connecting;
        _socket = socket;
        _fd = socket.SafeHandle.DangerousGetHandle();
        _loop = loop;
        _readWaiter = new Waiter(this);
        _writeWaiter = new Waiter(this);
        if (!Libc.SetNonBlocking(_fd))
        {
            throw new SocketException(Marshal.GetLastPInvokeError());
        }

        _token = loop.Register(_fd, this);
    }

    /// <summary>The socket (endpoints, options); its I/O must go through this object.</summary>
    public Socket Socket => _socket;

    /// <summary>The loop serving this socket.</summary>
    public EventLoop Loop => _loop;

    /// <summary>
    /// Serves <paramref name="socket"/> (connected, never used asynchronously) from <paramref name="loop"/> or the one
    /// <see cref="EventLoop.Pick"/> chooses. The returned object owns the socket.
    /// </summary>
    public static LoopSocket Attach(Socket socket, EventLoop? loop = null)
    {
        ArgumentNullException.ThrowIfNull(socket);
        return new LoopSocket(socket, loop ?? EventLoop.Pick());
    }

    /// <summary>
    /// Connects to the first of <paramref name="addresses"/> that accepts, without the runtime's socket engine: a
    /// non-blocking <c>connect</c> whose completion the loop reports as writable. Failures throw <see cref="SocketException"/>
    /// (the last address's), cancellation <see cref="OperationCanceledException"/>.
    /// </summary>
    public static async Task<LoopSocket> ConnectAsync(IReadOnlyList<System.Net.IPAddress> addresses, int port, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        SocketException? last = null;
        foreach (var address in addresses)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, Blocking = false };
            LoopSocket? attached = null;
            try
            {
                var pending = false;
                try
                {
                    socket.Connect(new System.Net.IPEndPoint(address, port));
                }
                catch (SocketException ex) when (ex.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress or SocketError.IOPending)
                {
                    pending = true;
                }

                attached = new LoopSocket(socket, EventLoop.Pick(), connecting: pending);
                await attached.WaitWritableAsync(cancellationToken).ConfigureAwait(false);
                var error = (SocketError)(int)socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
                if (error != SocketError.Success)
                {
                    throw new SocketException((int)error);
                }

                return attached;
            }
            catch (SocketException ex)
            {
                last = ex;
                if (attached is not null)
                {
                    attached.Dispose();
                }
                else
                {
                    socket.Dispose();
                }
            }
            catch
            {
                if (attached is not null)
                {
                    attached.Dispose();
                }
                else
                {
                    socket.Dispose();
                }

                throw;
            }
        }

        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }

    /// <summary>
    /// Receives into <paramref name="buffer"/> without waiting: the byte count, 0 at the end of the stream, or -1 when
    /// nothing is there yet (then <see cref="WaitReadableAsync"/>). A reset or other failure throws <see cref="SocketException"/>.
    /// </summary>
    public unsafe int TryReceive(Span<byte> buffer)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_readable)
            {
                return -1;
            }

            nint received;
            fixed (byte* pointer = buffer)
            {
                do
                {
                    received = Libc.Recv(_fd, pointer, buffer.Length, 0);
                }
                while (received < 0 && Marshal.GetLastPInvokeError() == Libc.EIntr);
            }

            if (received < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Libc.EAgain)
                {
                    _readable = false;
                    return -1;
                }

                throw new SocketException(errno);
            }

            // Short of the buffer: the socket is drained now, and data arriving after this raises a new edge.
            if (received < buffer.Length && received > 0 && !_peerClosed)
            {
                _readable = false;
            }

            return (int)received;
        }
    }

    /// <summary>
    /// Sends what fits without waiting: the byte count (possibly fewer than <paramref name="buffer"/> holds), or -1 when
    /// the socket's send buffer is full (then <see cref="WaitWritableAsync"/>). Failures throw <see cref="SocketException"/>.
    /// </summary>
    public unsafe int TrySend(ReadOnlySpan<byte> buffer)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_writable)
            {
                return -1;
            }

            nint sent;
            fixed (byte* pointer = buffer)
            {
                do
                {
                    sent = Libc.Send(_fd, pointer, buffer.Length, Libc.MsgNoSignal);
                }
                while (sent < 0 && Marshal.GetLastPInvokeError() == Libc.EIntr);
            }

            if (sent < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Libc.EAgain)
                {
                    _writable = false;
                    return -1;
                }

                throw new SocketException(errno);
            }

            // A partial send filled the buffer; the kernel signals space with a new edge.
            if (sent < buffer.Length)
            {
                _writable = false;
            }

            return (int)sent;
        }
    }

    /// <summary>Completes when a receive may find data (at once if it may now); continues on the loop thread otherwise.</summary>
    public ValueTask WaitReadableAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_wakeRequested)
            {
                _wakeRequested = false;
                return ValueTask.CompletedTask;
            }

            return _readable ? ValueTask.CompletedTask : _readWaiter.Arm(cancellationToken);
        }
    }

    /// <summary>Completes when a send may make progress (at once if it may now).</summary>
    public ValueTask WaitWritableAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _writable ? ValueTask.CompletedTask : _writeWaiter.Arm(cancellationToken);
        }
    }

    /// <summary>
    /// Ends a pending readable wait now, or else the next one (the reader then checks why itself). A separate flag, not the
    /// readable one: a receive already under way when this is called would clear that (it drains the socket), and the
    /// reader would then wait for data that may never come.
    /// </summary>
    public void WakeReader()
    {
        bool wake;
        lock (_gate)
        {
            wake = _readWaiter.TryTake();
            _wakeRequested = !wake;
        }

        if (wake)
        {
            _readWaiter.Complete(null);
        }
    }

    /// <summary>Shuts the connection down both ways (the peer sees the end; pending and later receives see it too).</summary>
    public void Shutdown()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            try
            {
                _socket.Shutdown(SocketShutdown.Both);
            }
            catch (SocketException)
            {
                // Already reset or not connected: nothing left to shut.
            }
        }
    }

    public void OnEvents(uint events)
    {
        bool wakeReader = false, wakeWriter = false;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            if ((events & (Libc.EpollRdHup | Libc.EpollHup | Libc.EpollErr)) != 0)
            {
                _peerClosed = true;
            }

            if ((events & (Libc.EpollIn | Libc.EpollRdHup | Libc.EpollHup | Libc.EpollErr)) != 0)
            {
                _readable = true;
                wakeReader = _readWaiter.TryTake();
            }

            if ((events & (Libc.EpollOut | Libc.EpollHup | Libc.EpollErr)) != 0)
            {
                _writable = true;
                wakeWriter = _writeWaiter.TryTake();
            }
        }

        if (wakeReader)
        {
            _readWaiter.Complete(null);
        }

        if (wakeWriter)
        {
            _writeWaiter.Complete(null);
        }
    }

    /// <summary>Removes the socket from its loop and closes it; pending waits fail with <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        bool wakeReader, wakeWriter;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _loop.Unregister(_fd, _token);
            wakeReader = _readWaiter.TryTake();
            wakeWriter = _writeWaiter.TryTake();
            _socket.Dispose();
        }

        if (wakeReader)
        {
            _readWaiter.Complete(new ObjectDisposedException(nameof(LoopSocket)));
        }

        if (wakeWriter)
        {
            _writeWaiter.Complete(new ObjectDisposedException(nameof(LoopSocket)));
        }
    }

    /// <summary>One reusable wait (read or write side): no allocation per wait.</summary>
    private sealed class Waiter(LoopSocket owner) : IValueTaskSource
    {
        private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = false };
        private CancellationTokenRegistration _registration;
        private bool _armed;

        /// <summary>Called under the socket's gate.</summary>
        public ValueTask Arm(CancellationToken cancellationToken)
        {
            if (_armed)
            {
                throw new InvalidOperationException("Only one wait per direction may be pending.");
            }

            _core.Reset();
            _armed = true;
            var version = _core.Version;
            if (cancellationToken.CanBeCanceled)
            {
                _registration = cancellationToken.UnsafeRegister(static (state, token) =>
                {
                    var waiter = (Waiter)state!;
                    bool take;
                    lock (waiter.Gate)
                    {
                        take = waiter.TryTake();
                    }

                    if (take)
                    {
                        waiter.Complete(new OperationCanceledException(token));
                    }
                }, this);
            }

            return new ValueTask(this, version);
        }

        private Lock Gate => owner._gate;

        /// <summary>Called under the socket's gate: true if a wait was pending (the caller then completes it outside the gate).</summary>
        public bool TryTake()
        {
            if (!_armed)
            {
                return false;
            }

            _armed = false;
            return true;
        }

        public void Complete(Exception? error)
        {
            if (error is null)
            {
                _core.SetResult(true);
            }
            else
            {
                _core.SetException(error);
            }
        }

        public void GetResult(short token)
        {
            _registration.Unregister();
            _registration = default;
            _core.GetResult(token);
        }

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);
    }
}
