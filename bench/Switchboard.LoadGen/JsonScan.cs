using System.Text.Json;

namespace Switchboard.LoadGen;

/// <summary>Reads one string property of a top-level JSON object or of one of its child objects.</summary>
internal static class JsonScan
{
    /// <summary>
    /// Finds the top-level string property <paramref name="name"/> and, when <paramref name="child"/> is
    /// not empty, the string property <paramref name="childName"/> inside the top-level object
    /// <paramref name="child"/> (or at the top level when <paramref name="child"/> is empty).
    /// Escaped strings are unescaped into <paramref name="scratch"/>.
    /// </summary>
    public static void Read(ReadOnlySpan<byte> json, ReadOnlySpan<byte> name, ReadOnlySpan<byte> child, ReadOnlySpan<byte> childName,
        out ReadOnlySpan<byte> value, out ReadOnlySpan<byte> childValue, byte[] scratch)
    {
        value = default;
        childValue = default;
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return;
            }

            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == 0)
                {
                    return;
                }

                if (reader.TokenType != JsonTokenType.PropertyName)
                {
                    continue;
                }

                var depth = reader.CurrentDepth;
                var isName = depth == 1 && reader.ValueTextEquals(name);
                var isChild = depth == 1 && !child.IsEmpty && reader.ValueTextEquals(child);
                var isChildName = ((child.IsEmpty && depth == 1) || (!child.IsEmpty && depth == 2)) && reader.ValueTextEquals(childName);
                if (!reader.Read())
                {
                    return;
                }

                if (isName && reader.TokenType == JsonTokenType.String)
                {
                    value = reader.ValueIsEscaped ? Unescape(ref reader, scratch.AsSpan(0, scratch.Length / 2)) : reader.ValueSpan;
                }
                else if (isChildName && reader.TokenType == JsonTokenType.String)
                {
                    childValue = reader.ValueIsEscaped ? Unescape(ref reader, scratch.AsSpan(scratch.Length / 2)) : reader.ValueSpan;
                }
                else if (depth == 1 && !isChild && reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    reader.Skip();
                }
                else if (depth == 2 && reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    reader.Skip();
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException)
        {
        }
    }

    private static ReadOnlySpan<byte> Unescape(scoped ref Utf8JsonReader reader, Span<byte> target)
    {
        var length = reader.CopyString(target);
        return target[..length];
    }
}
