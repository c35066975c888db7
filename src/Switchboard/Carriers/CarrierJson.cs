using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace Switchboard.Carriers;

/// <summary>Small helpers shared by the carrier codecs: tolerant number reads and hand-built frames.</summary>
internal static class CarrierJson
{
    /// <summary>Reads a number that carriers send as a JSON string (<c>"5"</c>) or, tolerated, as a number.</summary>
    public static long ReadLooseNumber(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var n))
        {
            return n;
        }

        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && Utf8Parser.TryParse(reader.ValueSpan, out long s, out var used) && used == reader.ValueSpan.Length)
        {
            return s;
        }

        return -1;
    }

    public static string? ReadString(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        _ => null,
    };

    /// <summary>Copies literal pieces and base64 text into one frame.</summary>
    public static void WriteFrame(IBufferWriter<byte> output, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> base64, ReadOnlySpan<byte> suffix)
    {
        var span = output.GetSpan(prefix.Length + base64.Length + suffix.Length);
        prefix.CopyTo(span);
        base64.CopyTo(span[prefix.Length..]);
        suffix.CopyTo(span[(prefix.Length + base64.Length)..]);
        output.Advance(prefix.Length + base64.Length + suffix.Length);
    }

    /// <summary>Writes prefix + base64(audio) + suffix, encoding straight into the output.</summary>
    public static void WriteFrameEncoding(IBufferWriter<byte> output, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> audio, ReadOnlySpan<byte> suffix)
    {
        var max = Base64.GetMaxEncodedToUtf8Length(audio.Length);
        var span = output.GetSpan(prefix.Length + max + suffix.Length);
        prefix.CopyTo(span);
        Base64.EncodeToUtf8(audio, span[prefix.Length..], out _, out var written);
        suffix.CopyTo(span[(prefix.Length + written)..]);
        output.Advance(prefix.Length + written + suffix.Length);
    }

    /// <summary>Writes prefix + decimal number + suffix (used for mark frames).</summary>
    public static void WriteFrameNumber(IBufferWriter<byte> output, ReadOnlySpan<byte> prefix, long number, ReadOnlySpan<byte> suffix)
    {
        var span = output.GetSpan(prefix.Length + 20 + suffix.Length);
        prefix.CopyTo(span);
        Utf8Formatter.TryFormat(number, span[prefix.Length..], out var written);
        suffix.CopyTo(span[(prefix.Length + written)..]);
        output.Advance(prefix.Length + written + suffix.Length);
    }

    /// <summary>JSON-escaped UTF-8 of a carrier-supplied id, for embedding in hand-built frames.</summary>
    public static byte[] Escaped(string value) => JsonEncodedText.Encode(value).EncodedUtf8Bytes.ToArray();

    public static byte[] Concat(params ReadOnlySpan<byte[]> parts)
    {
        var length = 0;
        foreach (var part in parts)
        {
            length += part.Length;
        }

        var result = new byte[length];
        var offset = 0;
        foreach (var part in parts)
        {
            part.CopyTo(result, offset);
            offset += part.Length;
        }

        return result;
    }

    /// <summary>Reads a <c>media</c> object (payload, timestamp, track), the same for every carrier.</summary>
    public static void ReadMedia(scoped ref Utf8JsonReader reader, out ReadOnlySpan<byte> payload, out bool escaped, out long timestampMs, out bool inbound)
    {
        payload = default;
        escaped = false;
        timestampMs = -1;
        inbound = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueSpan;
            reader.Read();
            if (name.SequenceEqual("payload"u8) && reader.TokenType == JsonTokenType.String)
            {
                payload = reader.ValueSpan;
                escaped = reader.ValueIsEscaped;
            }
            else if (name.SequenceEqual("timestamp"u8))
            {
                timestampMs = CarrierJson.ReadLooseNumber(ref reader);
            }
            else if (name.SequenceEqual("track"u8) && reader.TokenType == JsonTokenType.String)
            {
                inbound = reader.ValueSpan.SequenceEqual("inbound"u8) || reader.ValueSpan.SequenceEqual("inbound_track"u8);
            }
            else
            {
                reader.Skip();
            }
        }
    }

    /// <summary>Reads one string field of a small object (<c>mark.name</c>, <c>dtmf.digit</c>), skipping the rest.</summary>
    public static void ReadNamed(scoped ref Utf8JsonReader reader, ReadOnlySpan<byte> wanted, out ReadOnlySpan<byte> value)
    {
        value = default;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var match = reader.ValueSpan.SequenceEqual(wanted);
            reader.Read();
            if (match && reader.TokenType == JsonTokenType.String)
            {
                value = reader.ValueSpan;
            }
            else
            {
                reader.Skip();
            }
        }
    }

    /// <summary>Checks a parsed media frame: a payload must be present and (unless escaped, checked later) valid base64.</summary>
    public static CarrierParseStatus ValidateMedia(bool sawMedia, ref CarrierFrame frame)
    {
        if (!sawMedia || frame.Payload.IsEmpty)
        {
            frame.Detail = "media frame has no payload";
            return CarrierParseStatus.MissingField;
        }

        if (!frame.PayloadEscaped && !Base64.IsValid(frame.Payload))
        {
            frame.Detail = "media payload is not valid base64";
            return CarrierParseStatus.InvalidBase64;
        }

        return CarrierParseStatus.Ok;
    }

    /// <summary>Reads a carrier <c>error</c> object into one line: code, title and detail.</summary>
    public static string ReadError(ref Utf8JsonReader reader)
    {
        string? title = null, code = null, detail = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "title": title = CarrierJson.ReadString(ref reader); break;
                case "code": code = CarrierJson.ReadString(ref reader); break;
                case "detail": detail = CarrierJson.ReadString(ref reader); break;
                default: reader.Skip(); break;
            }
        }

        return $"{code} {title}: {detail}".Trim();
    }

    /// <summary>A JSON string value as .NET text, undoing escapes when the reader reported them.</summary>
    public static string ToString(ReadOnlySpan<byte> value, bool escaped)
    {
        if (!escaped)
        {
            return Encoding.UTF8.GetString(value);
        }

        var quoted = new byte[value.Length + 2];
        quoted[0] = (byte)'"';
        value.CopyTo(quoted.AsSpan(1));
        quoted[^1] = (byte)'"';
        var reader = new Utf8JsonReader(quoted);
        reader.Read();
        return reader.GetString() ?? "";
    }
}
