using System.Buffers.Text;

namespace Switchboard.Carriers;

/// <summary>The gateway's playback mark names: <c>sb-&lt;sequence&gt;</c>. Marks with other names are not ours.</summary>
internal static class MarkNames
{
    public static ReadOnlySpan<byte> Prefix => "sb-"u8;

    public static bool TryParse(ReadOnlySpan<byte> name, out long sequence)
    {
        sequence = 0;
        return name.StartsWith(Prefix)
            && Utf8Parser.TryParse(name[Prefix.Length..], out sequence, out var consumed)
            && consumed == name.Length - Prefix.Length;
    }
}
