using System.Net.WebSockets;
using System.Text;
using Switchboard.Tests.Audio;
using Switchboard.Transport;

namespace Switchboard.Tests.Transport;

/// <summary>
/// The agent leg's read-ahead: the runtime's WebSocket over it reads each message with one read of the connection
/// (header and payload together, several messages when they are there), keeps no block while waiting, and passes
/// zero-byte waits and writes through.
/// </summary>
public sealed class ReadAheadStreamTests
{
    [Fact]
    public async Task One_connection_read_serves_header_and_payload_of_several_messages()
    {
        var wire = new ScriptedStream();
        // Two unmasked server text frames of 300 bytes arrive together, as they do when the client is behind.
        wire.Arrive([.. ServerFrame(new string('a', 300)), .. ServerFrame(new string('b', 300))]);
        var readAhead = new ReadAheadStream(wire);
        using var socket = WebSocket.CreateFromStream(readAhead, new WebSocketCreationOptions { IsServer = false });
        using var reader = new WebSocketMessageReader(socket, 4096, initialBytes: 4096);

        Assert.Equal(ReceiveStatus.Text, await reader.ReadAsync(CancellationToken.None));
        Assert.Equal(new string('a', 300), Encoding.UTF8.GetString(reader.Message.Span));
        Assert.True(readAhead.HoldsBuffer); // the second message is already here
        Assert.Equal(ReceiveStatus.Text, await reader.ReadAsync(CancellationToken.None));
        Assert.Equal(new string('b', 300), Encoding.UTF8.GetString(reader.Message.Span));

        Assert.Equal(1, wire.DataReads); // without the read-ahead: header read + payload read per message, 4 here
        Assert.False(readAhead.HoldsBuffer);
    }

    [Fact]
    public async Task Waiting_for_the_next_message_is_a_zero_byte_read_of_the_connection_and_holds_no_block()
    {
        var wire = new ScriptedStream();
        var readAhead = new ReadAheadStream(wire);
        using var socket = WebSocket.CreateFromStream(readAhead, new WebSocketCreationOptions { IsServer = false });
        using var reader = new WebSocketMessageReader(socket, 4096, initialBytes: 4096);

        var pending = reader.ReadAsync(CancellationToken.None).AsTask();
        await wire.WaitingForZeroByteRead.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(pending.IsCompleted);
        Assert.False(readAhead.HoldsBuffer);
        Assert.Equal(0, wire.DataReads);

        wire.Arrive(ServerFrame("hello"));
        Assert.Equal(ReceiveStatus.Text, await pending.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("hello", Encoding.UTF8.GetString(reader.Message.Span));
        Assert.Equal(1, wire.DataReads);
        Assert.False(readAhead.HoldsBuffer);
    }

    [Fact]
    public async Task A_partial_drain_keeps_the_rest_and_a_zero_byte_read_then_reports_data_without_the_connection()
    {
        var wire = new ScriptedStream();
        wire.Arrive(Encoding.ASCII.GetBytes("0123456789"));
        using var readAhead = new ReadAheadStream(wire);
        var first = new byte[4];

        Assert.Equal(4, await readAhead.ReadAsync(first));
        Assert.Equal("0123", Encoding.ASCII.GetString(first));
        Assert.True(readAhead.HoldsBuffer);
        var zeroReadsBefore = wire.ZeroByteReads;
        Assert.Equal(0, await readAhead.ReadAsync(Memory<byte>.Empty));
        Assert.Equal(zeroReadsBefore, wire.ZeroByteReads);

        var rest = new byte[16];
        Assert.Equal(6, await readAhead.ReadAsync(rest));
        Assert.Equal("456789", Encoding.ASCII.GetString(rest, 0, 6));
        Assert.False(readAhead.HoldsBuffer);
        Assert.Equal(1, wire.DataReads);
    }

    [Fact]
    public void Reading_a_message_through_the_read_ahead_allocates_nothing()
    {
        // Per message: a header-sized read that fills the block, then the payload served from it (the agent leg's pattern).
        var message = new byte[300];
        var wire = new MemoryStream();
        var header = new byte[14];
        var payload = new byte[286];
        using var readAhead = new ReadAheadStream(wire);

        var allocated = SteadyStateAllocations.Measure(() =>
        {
            wire.SetLength(0);
            wire.Write(message);
            wire.Position = 0;
            var h = Completed(readAhead.ReadAsync(header));
            var p = Completed(readAhead.ReadAsync(payload));
            if (h != header.Length || p != payload.Length || readAhead.HoldsBuffer)
            {
                throw new InvalidOperationException($"read {h} + {p}");
            }
        });

        Assert.Equal(0, allocated);
    }

    [Fact]
    public async Task Writes_go_straight_to_the_connection()
    {
        var wire = new ScriptedStream();
        using var readAhead = new ReadAheadStream(wire);
        await readAhead.WriteAsync("ping"u8.ToArray());
        Assert.Equal("ping", Encoding.ASCII.GetString(wire.Written.ToArray()));
    }

    /// <summary>The result of a read that had its bytes at hand, so it must have completed at once.</summary>
    private static int Completed(ValueTask<int> read) =>
        read.IsCompletedSuccessfully ? read.Result : throw new InvalidOperationException("the read did not complete synchronously");

    /// <summary>An unmasked (server → client) final text frame with a 7-bit or 16-bit length.</summary>
    private static byte[] ServerFrame(string text)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        var header = payload.Length < 126
            ? new byte[] { 0x81, (byte)payload.Length }
            : [0x81, 126, (byte)(payload.Length >> 8), (byte)payload.Length];
        return [.. header, .. payload];
    }

    /// <summary>
    /// A connection whose bytes arrive when the test says so; each read returns what has arrived (up to the
    /// caller's buffer), and a read with nothing there waits. Counts zero-byte and data reads.
    /// </summary>
    private sealed class ScriptedStream : Stream
    {
        private readonly Queue<byte> _arrived = new();
        private TaskCompletionSource _arrival = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int DataReads { get; private set; }

        public int ZeroByteReads { get; private set; }

        public MemoryStream Written { get; } = new();

        public TaskCompletionSource WaitingForZeroByteRead { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override bool CanRead => true;

        public override bool CanWrite => true;

        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public void Arrive(byte[] bytes)
        {
            lock (_arrived)
            {
                foreach (var b in bytes)
                {
                    _arrived.Enqueue(b);
                }

                _arrival.TrySetResult();
            }
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (true)
            {
                Task arrival;
                lock (_arrived)
                {
                    if (_arrived.Count > 0)
                    {
                        if (buffer.IsEmpty)
                        {
                            ZeroByteReads++;
                            return 0;
                        }

                        DataReads++;
                        var n = Math.Min(buffer.Length, _arrived.Count);
                        for (var i = 0; i < n; i++)
                        {
                            buffer.Span[i] = _arrived.Dequeue();
                        }

                        return n;
                    }

                    _arrival = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    arrival = _arrival.Task;
                    if (buffer.IsEmpty)
                    {
                        WaitingForZeroByteRead.TrySetResult();
                    }
                }

                await arrival.WaitAsync(cancellationToken);
            }
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Written.Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override void Write(byte[] buffer, int offset, int count) => Written.Write(buffer, offset, count);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
