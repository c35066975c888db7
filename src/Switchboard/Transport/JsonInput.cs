using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Switchboard.Transport;

/// <summary>
/// The one rule for JSON that enters the gateway from outside (REST bodies, remote agent configuration answers, HTTP tool
/// results): well-formed UTF-8 JSON, no duplicate field, at most <see cref="MaxDepth"/> levels, every string and field name
/// valid Unicode (a lone UTF-16 surrogate such as <c>"\ud800"</c> is refused: nothing downstream could read or write it),
/// no <c>null</c> item in an array, and every number finite as a double. A document that passes can be read and echoed
/// without an exception; one that fails gets the path of the offending field and a sentence saying what is wrong.
/// </summary>
internal static class JsonInput
{
    /// <summary>The deepest nesting accepted: request bodies and tool schemas use a handful of levels.</summary>
    public const int MaxDepth = 32;

    private static readonly JsonDocumentOptions DocumentOptions = new() { AllowDuplicateProperties = false, MaxDepth = MaxDepth };

    /// <summary>
    /// Parses and checks <paramref name="utf8"/>. On success <paramref name="root"/> is a detached copy of the document;
    /// otherwise <paramref name="problem"/> names the field (empty for the document itself) and the fault.
    /// </summary>
    public static bool TryParse(ReadOnlyMemory<byte> utf8, out JsonElement root, out JsonInputProblem? problem)
    {
        root = default;
        if (!Utf8.IsValid(utf8.Span))
        {
            problem = new JsonInputProblem("", $"the body is not valid UTF-8 (first invalid byte at offset {FirstInvalidByte(utf8.Span)})");
            return false;
        }

        // A UTF-8 byte order mark is not JSON; the reader refuses it with a confusing message.
        if (utf8.Span.StartsWith("\uFEFF"u8))
        {
            utf8 = utf8[3..];
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8, DocumentOptions);
        }
        catch (JsonException ex)
        {
            problem = new JsonInputProblem("", JsonErrorText.Malformed(ex));
            return false;
        }

        using (document)
        {
            problem = Check(document.RootElement, new StringBuilder());
            if (problem is not null)
            {
                return false;
            }

            root = document.RootElement.Clone();
            return true;
        }
    }

    /// <summary>Checks a string the same way (for text that arrived as a .NET string); true when it may be parsed.</summary>
    public static bool TryParse(string json, out JsonElement root, out JsonInputProblem? problem) =>
        TryParse(Encoding.UTF8.GetBytes(json), out root, out problem);

    private static JsonInputProblem? Check(JsonElement element, StringBuilder path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        return new JsonInputProblem(Field(path), $"a field name in '{FieldOrBody(path)}' is not valid Unicode (a lone surrogate escape such as \\ud800)");
                    }

                    var length = path.Length;
                    if (length > 0)
                    {
                        path.Append('.');
                    }

                    path.Append(name);
                    if (Check(property.Value, path) is { } inner)
                    {
                        return inner;
                    }

                    path.Length = length;
                }

                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    var length = path.Length;
                    path.Append('[').Append(index).Append(']');
                    if (item.ValueKind == JsonValueKind.Null)
                    {
                        return new JsonInputProblem(Field(path), $"'{Field(path)}' is null; a list may not hold null items");
                    }

                    if (Check(item, path) is { } inner)
                    {
                        return inner;
                    }

                    path.Length = length;
                    index++;
                }

                return null;
            case JsonValueKind.String:
                try
                {
                    _ = element.GetString();
                    return null;
                }
                catch (InvalidOperationException)
                {
                    return new JsonInputProblem(Field(path), $"'{FieldOrBody(path)}' is not valid Unicode text (a lone surrogate escape such as \\ud800)");
                }

            case JsonValueKind.Number:
                return element.TryGetDouble(out var number) && double.IsFinite(number)
                    ? null
                    : new JsonInputProblem(Field(path), $"'{FieldOrBody(path)}' is a number out of range");
            default:
                return null;
        }
    }

    private static string Field(StringBuilder path) => path.ToString();

    private static string FieldOrBody(StringBuilder path) => path.Length == 0 ? "(body)" : path.ToString();

    private static int FirstInvalidByte(ReadOnlySpan<byte> utf8)
    {
        var offset = 0;
        while (offset < utf8.Length)
        {
            if (System.Buffers.OperationStatus.Done != Rune.DecodeFromUtf8(utf8[offset..], out _, out var consumed))
            {
                return offset;
            }

            offset += consumed;
        }

        return offset;
    }
}
