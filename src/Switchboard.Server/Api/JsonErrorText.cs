using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Switchboard.Server.Api;

/// <summary>
/// Turns System.Text.Json's exceptions into details an API client can act on: the field's JSON path and
/// what was wrong, without .NET type names.
/// </summary>
internal static partial class JsonErrorText
{
    /// <summary>A parse failure of the raw body: the reader's reason and its 1-based line and byte.</summary>
    public static string Malformed(JsonException ex)
    {
        var reason = Position().Replace(ex.Message, "").Trim();
        if (reason.StartsWith("Duplicate property", StringComparison.Ordinal))
        {
            return "duplicate field: " + reason.Replace(" encountered during deserialization.", "", StringComparison.Ordinal);
        }

        return ex.LineNumber is { } line && ex.BytePositionInLine is { } position
            ? $"malformed JSON at line {line + 1}, byte {position + 1}: {reason}"
            : "malformed JSON: " + reason;
    }

    /// <summary>
    /// A failure to map a well-formed document onto the expected shape: the field's path (empty for the body
    /// itself) and what was wrong with it.
    /// </summary>
    public static (string Field, string Message) Mapping(JsonException ex)
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

        var converted = NotConvertible().Match(message);
        if (converted.Success)
        {
            return (path, $"'{(path.Length == 0 ? "(body)" : path)}' must be {Expected(converted.Groups[1].Value)}");
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

    private static string Expected(string dotnetType) => Unwrap(dotnetType) switch
    {
        "System.Int32" or "System.Int64" or "System.Int16" or "System.UInt32" or "System.UInt64" => "an integer (in range)",
        "System.Double" or "System.Single" or "System.Decimal" => "a number",
        "System.String" => "a string",
        "System.Boolean" => "true or false",
        "System.Guid" => "a UUID string",
        "System.DateTimeOffset" or "System.DateTime" => "an ISO 8601 date-time string",
        _ when dotnetType.Contains("List`1", StringComparison.Ordinal) || dotnetType.EndsWith("[]", StringComparison.Ordinal) => "an array",
        _ => "an object",
    };

    private static string Unwrap(string dotnetType) =>
        dotnetType.StartsWith("System.Nullable`1[", StringComparison.Ordinal) ? dotnetType["System.Nullable`1[".Length..^1] : dotnetType;

    [GeneratedRegex(@"\s*(Path: .*?\|\s*)?LineNumber: \d+ \| BytePositionInLine: \d+\.\s*$")]
    private static partial Regex Position();

    [GeneratedRegex(@"^The JSON property '.*' could not be mapped")]
    private static partial Regex UnknownField();

    [GeneratedRegex(@"missing required properties including: (.*)\.$")]
    private static partial Regex MissingRequired();

    [GeneratedRegex(@"^The JSON value could not be converted to ([^ ]+)\. ")]
    private static partial Regex NotConvertible();
}
