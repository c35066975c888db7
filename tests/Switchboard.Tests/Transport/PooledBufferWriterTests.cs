using System.Buffers;
using System.Text;
using Switchboard.Tests.Audio;
using Switchboard.Transport;

namespace Switchboard.Tests.Transport;

/// <summary>
/// The per-call message writers: a waiting call holds no buffer (rented on the first write, returned after the send),
/// a message larger than the first rent is kept whole, and a write–release cycle allocates nothing.
/// </summary>
public sealed class PooledBufferWriterTests
{
    [Fact]
    public void Holds_a_buffer_only_between_the_first_write_and_the_release()
    {
        var writer = new PooledBufferWriter(64);
        Assert.False(writer.HoldsBuffer);

        writer.Write("{\"type\":\"audio\"}"u8);
        Assert.True(writer.HoldsBuffer);
        Assert.Equal("{\"type\":\"audio\"}", Encoding.UTF8.GetString(writer.WrittenSpan));

        writer.Release();
        Assert.False(writer.HoldsBuffer);
        Assert.Equal(0, writer.WrittenCount);
        Assert.True(writer.WrittenMemory.IsEmpty);
    }

    [Fact]
    public void Growing_past_the_first_rent_keeps_what_was_written()
    {
        using var writer = new PooledBufferWriter(16);
        var first = new byte[10];
        Array.Fill(first, (byte)'a');
        var second = new byte[5000];
        Array.Fill(second, (byte)'b');

        writer.Write(first);
        writer.Write(second);

        Assert.Equal(5010, writer.WrittenCount);
        Assert.True(writer.WrittenSpan[..10].SequenceEqual(first));
        Assert.True(writer.WrittenSpan[10..].SequenceEqual(second));
    }

    [Fact]
    public void Reset_starts_the_next_message_in_the_same_buffer()
    {
        using var writer = new PooledBufferWriter(64);
        writer.Write("first"u8);
        writer.ResetWrittenCount();
        writer.Write("second"u8);

        Assert.Equal("second", Encoding.UTF8.GetString(writer.WrittenSpan));
    }

    [Fact]
    public void Advancing_past_the_span_is_refused()
    {
        using var writer = new PooledBufferWriter(64);
        var length = writer.GetSpan(8).Length;

        Assert.Throws<InvalidOperationException>(() => writer.Advance(length + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Advance(-1));
    }

    [Fact]
    public void A_message_written_and_released_allocates_nothing()
    {
        // The frame path's cycle per message: write an append-sized message, send it, release the buffer.
        var writer = new PooledBufferWriter(2048);
        var payload = new byte[1350];

        var allocated = SteadyStateAllocations.Measure(() =>
        {
            writer.Write(payload);
            if (writer.WrittenCount != payload.Length)
            {
                throw new InvalidOperationException("short write");
            }

            writer.Release();
        });

        Assert.Equal(0, allocated);
    }
}
