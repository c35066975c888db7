using System.Globalization;

namespace Switchboard.Chatbot;

/// <summary>An entry id in the Redis Streams format: Unix milliseconds, a dash, the sequence within that millisecond.</summary>
internal readonly record struct StreamId(long Milliseconds, long Sequence)
{
    public override string ToString() =>
        Milliseconds.ToString(CultureInfo.InvariantCulture) + "-" + Sequence.ToString(CultureInfo.InvariantCulture);

    /// <summary>The id after <paramref name="last"/> at <paramref name="nowMs"/>: never smaller, as XADD's <c>*</c> ids.</summary>
    public static StreamId Next(StreamId last, long nowMs) =>
        nowMs > last.Milliseconds ? new StreamId(nowMs, 0) : new StreamId(last.Milliseconds, last.Sequence + 1);
}
