using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Switchboard.Transport;

namespace Switchboard.Server.Hosting;

/// <summary>
/// One accepted connection of <see cref="LoopTransport"/>: a <see cref="LoopSocket"/> feeding Kestrel's input pipe and
/// sending its output pipe, until <see cref="TakeOverAsync"/> moves the socket out of the pipes (after a WebSocket upgrade).
/// Received data is written to the input pipe on the loop thread and read by Kestrel on the thread pool (request handling
/// never runs on a loop thread); output is sent from the thread that flushes it.
/// </summary>
internal sealed class LoopConnection : ConnectionContext, IConnectionIdFeature, IConnectionTransportFeature, IConnectionItemsFeature,
    IMemoryPoolFeature, IConnectionLifetimeFeature, IConnectionEndPointFeature
{
    /// <summary>The smallest pipe block a receive asks for (half of Kestrel's 4 KiB block, as its socket transport).</summary>
    private const int MinReceiveBytes = 2048;

    private readonly LoopTransport _transport;
    private readonly LoopSocket _socket;
    private readonly Pipe _input;
    private readonly Pipe _output;
    private readonly CancellationTokenSource _closed = new();
    private readonly FeatureCollection _features = new();
    private Task _receiving = Task.CompletedTask;
    private Task _sending = Task.CompletedTask;
    private volatile bool _takenOver;
    private volatile bool _stopping;
    private volatile bool _sendingBytes;
    private volatile bool _peerEnded;
    private int _closedFired;
    private IDictionary<object, object?>? _items;

    public LoopConnection(LoopTransport transport, Socket socket, MemoryPool<byte> pool, string id)
    {
        _transport = transport;
        ConnectionId = id;
        MemoryPool = pool;
        LocalEndPoint = socket.LocalEndPoint;
        RemoteEndPoint = socket.RemoteEndPoint;
        _socket = LoopSocket.Attach(socket);
        // Kestrel's socket transport limits: 1 MiB of unread request data, 64 KiB of unsent response.
        _input = new Pipe(new PipeOptions(pool, readerScheduler: PipeScheduler.ThreadPool, writerScheduler: PipeScheduler.Inline,
            pauseWriterThreshold: 1024 * 1024, resumeWriterThreshold: 512 * 1024, useSynchronizationContext: false));
        _output = new Pipe(new PipeOptions(pool, readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.ThreadPool,
            pauseWriterThreshold: 64 * 1024, resumeWriterThreshold: 32 * 1024, useSynchronizationContext: false));
        Transport = new DuplexPipe(_input.Reader, _output.Writer);
        _features.Set<IConnectionIdFeature>(this);
        _features.Set<IConnectionTransportFeature>(this);
        _features.Set<IConnectionItemsFeature>(this);
        _features.Set<IMemoryPoolFeature>(this);
        _features.Set<IConnectionLifetimeFeature>(this);
        _features.Set<IConnectionEndPointFeature>(this);
    }

    public override string ConnectionId { get; set; }

    public override IFeatureCollection Features => _features;

    public override IDictionary<object, object?> Items
    {
        get => _items ??= new Dictionary<object, object?>();
        set => _items = value;
    }

    public override IDuplexPipe Transport { get; set; }

    public MemoryPool<byte> MemoryPool { get; }

    public override CancellationToken ConnectionClosed
    {
        get => _closed.Token;
        set => throw new NotSupportedException();
    }

    public override EndPoint? LocalEndPoint { get; set; }

    public override EndPoint? RemoteEndPoint { get; set; }

    public void Start()
    {
        _receiving = ReceiveAsync();
        _sending = SendAsync();
    }

    public override void Abort(ConnectionAbortedException abortReason)
    {
        // The peer sees the end, the receive loop reads it, and a pending send gives up.
        _socket.Shutdown();
        try
        {
            _output.Reader.CancelPendingRead();
        }
        catch (InvalidOperationException)
        {
            // The send loop has finished with the pipe already.
        }
    }

    public override async ValueTask DisposeAsync()
    {
        _stopping = true;
        _input.Reader.Complete();
        _output.Writer.Complete();
        _socket.WakeReader();
        await _receiving.ConfigureAwait(false);
        await _sending.ConfigureAwait(false);
        _transport.Remove(this);
        _socket.Shutdown();
        _socket.Dispose();
        FireClosed(inline: false);
        _closed.Dispose();
        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Stops feeding the input pipe, gathers what the HTTP stack had read but not consumed (by reading
    /// <paramref name="upgraded"/> to its end), waits for output already flushed to be sent, and returns a stream on the
    /// socket itself. The connection keeps owning the socket: it is closed when Kestrel disposes the connection.
    /// </summary>
    public async Task<Stream> TakeOverAsync(Stream upgraded)
    {
        _takenOver = true;
        _socket.WakeReader();
        await _receiving.ConfigureAwait(false);

        // The input pipe is complete now: the upgraded stream returns what is left in it, then its end.
        ArrayBufferWriter<byte>? leftover = null;
        var scratch = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            int read;
            while ((read = await upgraded.ReadAsync(scratch).ConfigureAwait(false)) > 0)
            {
                (leftover ??= new ArrayBufferWriter<byte>(read)).Write(scratch.AsSpan(0, read));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }

        if (leftover is not null)
        {
            _transport.CountEarlyBytes();
        }

        // The peer left before the hand-over: the request is aborted now, before its handler gets the WebSocket, as the
        // socket transport does (its receive loop cancels at once); a call whose start came first is then not admitted.
        if (_peerEnded)
        {
            FireClosed(inline: true);
        }

        // The 101 was flushed before the upgrade returned; a send still waiting for buffer space finishes first.
        while (_sendingBytes)
        {
            await Task.Delay(1).ConfigureAwait(false);
        }

        return new LoopStream(_socket, leftover is null ? default : leftover.WrittenSpan, ownsSocket: false, ended: () => FireClosed(inline: false));
    }

    private async Task ReceiveAsync()
    {
        var writer = _input.Writer;
        Exception? error = null;
        try
        {
            while (true)
            {
                await _socket.WaitReadableAsync().ConfigureAwait(false);
                if (_takenOver || _stopping)
                {
                    break;
                }

                var memory = writer.GetMemory(MinReceiveBytes);
                var received = _socket.TryReceive(memory.Span);
                if (received < 0)
                {
                    continue;
                }

                if (received == 0)
                {
                    _peerEnded = true;
                    break;
                }

                writer.Advance(received);
                var flushed = await writer.FlushAsync().ConfigureAwait(false);
                if (flushed.IsCompleted || flushed.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (SocketException ex)
        {
            _peerEnded = true;
            error = new ConnectionResetException(ex.Message, ex);
        }
        catch (ObjectDisposedException)
        {
            // Disposed while waiting: the connection is ending.
        }

        await writer.CompleteAsync(error).ConfigureAwait(false);
        if (!_takenOver)
        {
            FireClosed(inline: false);
        }
    }

    private async Task SendAsync()
    {
        var reader = _output.Reader;
        Exception? error = null;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                if (result.IsCanceled)
                {
                    break;
                }

                var buffer = result.Buffer;
                if (!buffer.IsEmpty)
                {
                    _sendingBytes = true;
                    foreach (var segment in buffer)
                    {
                        await SendSegmentAsync(segment).ConfigureAwait(false);
                    }

                    _sendingBytes = false;
                }

                reader.AdvanceTo(buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (SocketException ex)
        {
            error = ex;
        }
        catch (ObjectDisposedException ex)
        {
            error = ex;
        }

        _sendingBytes = false;
        await reader.CompleteAsync(error).ConfigureAwait(false);
    }

    private async ValueTask SendSegmentAsync(ReadOnlyMemory<byte> segment)
    {
        var offset = 0;
        while (offset < segment.Length)
        {
            var sent = _socket.TrySend(segment.Span[offset..]);
            if (sent < 0)
            {
                await _socket.WaitWritableAsync().ConfigureAwait(false);
                continue;
            }

            offset += sent;
        }
    }

    private void FireClosed(bool inline)
    {
        if (inline)
        {
            // Cancelling twice is harmless: this one may overtake a cancel still queued below.
            Interlocked.Exchange(ref _closedFired, 1);
            try
            {
                _closed.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Disposed with the connection.
            }

            return;
        }

        if (Interlocked.Exchange(ref _closedFired, 1) != 0)
        {
            return;
        }

        // Kestrel's handlers run on their own threads: cancel from the pool, not inline on a loop thread.
        ThreadPool.UnsafeQueueUserWorkItem(static state =>
        {
            try
            {
                ((CancellationTokenSource)state!).Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Disposed with the connection.
            }
        }, _closed);
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
