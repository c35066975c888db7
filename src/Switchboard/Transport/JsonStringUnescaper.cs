using System.Buffers.Text;

namespace Switchboard.Transport;

/// <summary>
/// Undoes JSON string escapes in ASCII payloads such as base64 (some encoders write <c>\/</c> or <c>\u002B</c>).
/// Rare on the wire, so it only runs when the reader reports an escaped value.
/// </summary>
internal static class JsonStringUnescaper
{
    /// <summary>Unescapes <paramref name="source"/> into <paramref name="destination"/>; false for malformed or non-ASCII escapes.</summary>
    public static bool TryUnescapeAscii(ReadOnlySpan<byte> source, Span<byte> destination, out int written)
    {
        written = 0;
        for (var i = 0; i < source.Length; i++)
        {
            if (written >= destination.Length)
            {
                return false;
            }

            var b = source[i];
            if (b != (byte)'\\')
            {
                destination[written++] = b;
                continue;
            }

            if (++i >= source.Length)
            {
                return false;
            }

            switch (source[i])
            {
                case (byte)'/': destination[written++] = (byte)'/'; break;
                case (byte)'\\': destination[written++] = (byte)'\\'; break;
                case (byte)'"': destination[written++] = (byte)'"'; break;
                case (byte)'u':
                    if (i + 4 >= source.Length
                        || !Utf8Parser.TryParse(source.Slice(i + 1, 4), out ushort code, out var used, 'X')
                        || used != 4 || code > 0x7F)
                    {
                        return false;
                    }

                    destination[written++] = (byte)code;
                    i += 4;
                    break;
                default:
                    return false;
            }
        }

        return true;
    }
}
