using System.Buffers;
using Switchboard.Audio;

namespace Switchboard.Calls;

/// <summary>
/// One chunk of a call's audio copied for a listener: <see cref="Length"/> bytes of <see cref="Buffer"/> (rented from
/// <see cref="ArrayPool{T}.Shared"/>; the reader gives it back with <see cref="CallTapListener.Release"/>) in
/// <see cref="Format"/>, as base64 text when <see cref="IsBase64"/>. <see cref="ItemId"/> names the agent item it belongs to.
/// </summary>
internal readonly record struct TapAudio(TapSource Source, AudioFormat Format, bool IsBase64, byte[] Buffer, int Length, string? ItemId)
{
    /// <summary>The chunk's bytes.</summary>
    public ReadOnlySpan<byte> Span => Buffer.AsSpan(0, Length);

    /// <summary>Copies <paramref name="data"/> into a pooled buffer.</summary>
    public static TapAudio Copy(TapSource source, AudioFormat format, bool isBase64, ReadOnlySpan<byte> data, string? itemId)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, data.Length));
        data.CopyTo(buffer);
        return new TapAudio(source, format, isBase64, buffer, data.Length, itemId);
    }
}
