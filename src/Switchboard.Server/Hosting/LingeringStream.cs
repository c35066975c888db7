using System.Net.WebSockets;

namespace Switchboard.Server.Hosting;

/// <summary>
/// An upgraded connection's stream whose disposal by the WebSocket only cancels its pending read (which is what an abort
/// needs); the connection itself ends in <see cref="CloseAsync"/>, after the handler. See <see cref="WebSocketClosing"/>.
/// Reads and writes pass straight through: nothing is allocated per frame.
/// </summary>
/// <param name="inner">The server's upgraded stream.</param>
internal sealed class LingeringStream(Stream inner) : Stream
{
    private readonly CancellationTokenSource _released = new();
    private bool? _closedWhenDisposed;

    /// <summary>The WebSocket accepted on this stream, once there is one.</summary>
    public WebSocket? Socket { get; set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>
    /// Reads from the connection until <see cref="Release"/>. The caller's token is not linked (that would allocate per
    /// frame): the WebSocket turns its own token's cancellation into an abort, which releases this stream.
    /// </summary>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _released.IsCancellationRequested ? ValueTask.FromException<int>(new ObjectDisposedException(nameof(LingeringStream))) : inner.ReadAsync(buffer, _released.Token);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        _released.IsCancellationRequested ? ValueTask.FromException(new ObjectDisposedException(nameof(LingeringStream))) : inner.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("the upgraded stream is read asynchronously");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("the upgraded stream is written asynchronously");

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>
    /// Ends the connection: at once after a completed closing handshake, otherwise after reading and discarding what the
    /// peer still sends (until it closes, is idle for <see cref="WebSocketClosing.IdleWindow"/>, or for at most
    /// <see cref="WebSocketClosing.MaxLinger"/>), so the close does not become a reset.
    /// </summary>
    public async Task CloseAsync()
    {
        Release();
        if (!HandshakeCompleted)
        {
            var buffer = new byte[4096];
            var until = DateTime.UtcNow + WebSocketClosing.MaxLinger;
            while (DateTime.UtcNow < until)
            {
                using var idle = new CancellationTokenSource(WebSocketClosing.IdleWindow);
                try
                {
                    if (await inner.ReadAsync(buffer, idle.Token).ConfigureAwait(false) == 0)
                    {
                        break;
                    }
                }
                catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException or InvalidOperationException)
                {
                    // Silent, gone, or the server is stopping: nothing more to read.
                    break;
                }
            }
        }

        await inner.DisposeAsync().ConfigureAwait(false);
        _released.Dispose();
    }

    /// <summary>The WebSocket is done with the stream (closed or aborted): unblocks its pending read; the connection ends in <see cref="CloseAsync"/>.</summary>
    public void Release()
    {
        try
        {
            _released.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Closed already.
        }
    }

    /// <summary>
    /// Whether the closing handshake completed: the socket's state, or the state it had when it disposed this stream. A
    /// disposed WebSocket reports <see cref="WebSocketState.Closed"/> whatever happened (a close sent but never answered
    /// too), and it disposes its stream just before it says so.
    /// </summary>
    private bool HandshakeCompleted => _closedWhenDisposed ?? Socket?.State == WebSocketState.Closed;

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _closedWhenDisposed ??= Socket?.State == WebSocketState.Closed;
            Release();
        }

        base.Dispose(disposing);
    }
}
