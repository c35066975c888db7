using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;

namespace Switchboard.Transport;

/// <summary>
/// Turns System.Text.Json's exceptions into details an API client can act on: the field's JSON path and
/// what was wrong, without .NET type names.
/// </summary>
internal static partial class JsonErrorText
{
    private static readonly ConcurrentDictionary<Type, JsonNode> Schemas = new();

    /// <summary>A parse failure of the raw body: the reader's reason and its 1-based line and byte.</summary>
    public static string Malformed(JsonException ex)
    {
        // The reader's advice about its own options means nothing to an API client.
        var reason = Position().Replace(ex.Message, "").Replace(" Change the reader options.", "", StringComparison.Ordinal)
            .Replace(" in this mode", "", StringComparison.Ordinal).Trim();
        var duplicate = DuplicateField().Match(reason);
        if (duplicate.Success)
        {
            return $"duplicate field '{duplicate.Groups[1].Value}'";
        }

        return ex.LineNumber is { } line && ex.BytePositionInLine is { } position
            ? $"malformed JSON at line {line + 1}, byte {position + 1}: {reason}"
            : "malformed JSON: " + reason;
    }

    /// <summary>
    /// A failure to map a well-formed document onto <paramref name="shape"/>: the field's path (empty for the
    /// body itself) and what was wrong with it. The expected type of a mistyped field comes from the shape's JSON
    /// schema, because source-generated serializers name the declaring type, not the field's, in their message.
    /// </summary>
    public static (string Field, string Message) Mapping(JsonException ex, JsonTypeInfo shape)
    {
        var path = FieldPath(ex.Path);
        var message = ex.Message;
        if (UnknownField().IsMatch(message))
        {
            return (path, $"unknown field '{path}'");
        }

        var missing = MissingRequired().Match(message);
        if (missing.Success)
        {
            var fields = missing.Groups[1].Value;
            return (path, path.Length == 0 ? $"missing required field {fields}" : $"'{path}' is missing required field {fields}");
        }

        if (message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal))
        {
            var expected = Expected(SchemaAt(shape, ex.Path));
            var field = path.Length == 0 ? "(body)" : path;
            return (path, expected is null ? $"'{field}' has the wrong type" : $"'{field}' must be {expected}");
        }

        return (path, path.Length == 0 ? "invalid request body" : $"'{path}' is invalid");
    }

    /// <summary>"an array", "a string", … for a node's JSON kind.</summary>
    public static string KindOf(JsonNode? node) => node switch
    {
        null => "null",
        JsonArray => "an array",
        JsonObject => "an object",
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            _ => "a value",
        },
        _ => "a value",
    };

    /// <summary><c>$.limits.maxCallSeconds</c> → <c>limits.maxCallSeconds</c>; <c>$</c> → empty.</summary>
    private static string FieldPath(string? jsonPath)
    {
        var path = jsonPath ?? "$";
        return path == "$" ? "" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
    }

    /// <summary>The schema of the field at a JSON path (<c>$.tools[0].name</c>); null when the path leaves the schema.</summary>
    private static JsonNode? SchemaAt(JsonTypeInfo shape, string? jsonPath)
    {
        var schema = Schemas.GetOrAdd(shape.Type, _ => shape.Options.GetJsonSchemaAsNode(shape.Type));
        foreach (Match step in PathStep().Matches(jsonPath ?? "$"))
        {
            if (schema is null)
            {
                return null;
            }

            schema = step.Groups["index"].Success ? schema["items"] : schema["properties"]?[step.Groups["name"].Success ? step.Groups["name"].Value : step.Groups["quoted"].Value];
        }

        return schema;
    }

    /// <summary>"an integer (32-bit)", "a string", "an array", … from a schema's <c>type</c> (null ignored).</summary>
    private static string? Expected(JsonNode? schema)
    {
        var types = schema?["type"] switch
        {
            JsonValue single => [single.GetValue<string>()],
            JsonArray several => several.Select(t => t?.GetValue<string>()).OfType<string>().ToArray(),
            _ => Array.Empty<string>(),
        };
        var named = types.Where(t => t != "null").Select(t => t switch
        {
            "integer" => "an integer (32-bit)",
            "number" => "a number",
            "string" => "a string",
            "boolean" => "true or false",
            "array" => "an array",
            "object" => "an object",
            _ => t,
        }).ToList();
        return named.Count == 0 ? null : string.Join(" or ", named);
    }

    [GeneratedRegex(@"\s*(Path: .*?\|\s*)?LineNumber: \d+ \| BytePositionInLine: \d+\.\s*$")]
    private static partial Regex Position();

    [GeneratedRegex(@"^Duplicate property '(.*)' encountered")]
    private static partial Regex DuplicateField();

    [GeneratedRegex(@"^The JSON property '.*' could not be mapped")]
    private static partial Regex UnknownField();

    [GeneratedRegex(@"missing required properties including: (.*)\.$")]
    private static partial Regex MissingRequired();

    [GeneratedRegex(@"\.(?<name>[^.\[]+)|\[(?<index>\d+)\]|\['(?<quoted>[^']*)'\]")]
    private static partial Regex PathStep();
}
