using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Switchboard.Agents.Tools;

/// <summary>
/// Checks a tool call's arguments against the tool's JSON Schema before anything runs. Covers what function-calling
/// schemas use (draft 2020-12 keywords): <c>type</c> (one or a list), <c>properties</c>, <c>required</c>,
/// <c>additionalProperties</c>, <c>items</c>, <c>minItems</c>/<c>maxItems</c>/<c>uniqueItems</c>, <c>enum</c>, <c>const</c>,
/// <c>minLength</c>/<c>maxLength</c>/<c>pattern</c>, <c>minimum</c>/<c>maximum</c>/<c>exclusiveMinimum</c>/<c>exclusiveMaximum</c>/
/// <c>multipleOf</c>, <c>anyOf</c>/<c>oneOf</c>/<c>allOf</c>/<c>not</c>, and local <c>$ref</c> (<c>#/$defs/…</c>). Annotations
/// (<c>description</c>, <c>format</c>, <c>title</c>, <c>default</c>, <c>examples</c>) are ignored; an unknown keyword is ignored
/// too, as the specification asks. Never throws on hostile input: the model writes the arguments.
/// </summary>
internal static class ArgumentSchema
{
    private const int MaxDepth = 32;
    private const int MaxErrors = 10;
    private static readonly TimeSpan PatternTimeout = TimeSpan.FromMilliseconds(50);

    /// <summary>Validates <paramref name="instance"/>; an empty list means valid. At most 10 errors are reported.</summary>
    public static IReadOnlyList<SchemaError> Validate(JsonElement schema, JsonElement instance)
    {
        var errors = new List<SchemaError>();
        Check(schema, schema, instance, "$", errors, 0);
        return errors.Count > MaxErrors ? errors.GetRange(0, MaxErrors) : errors;
    }

    private static void Check(JsonElement root, JsonElement schema, JsonElement value, string path, List<SchemaError> errors, int depth)
    {
        if (errors.Count >= MaxErrors)
        {
            return;
        }

        if (depth > MaxDepth)
        {
            errors.Add(new SchemaError(path, "the schema nests too deeply (or a $ref loops)"));
            return;
        }

        switch (schema.ValueKind)
        {
            case JsonValueKind.True:
                return;
            case JsonValueKind.False:
                errors.Add(new SchemaError(path, "no value is allowed here"));
                return;
            case JsonValueKind.Object:
                break;
            default:
                // Not a schema: nothing can be checked, and a broken tool definition is the endpoint's problem, not the model's.
                return;
        }

        if (schema.TryGetProperty("$ref", out var reference) && reference.ValueKind == JsonValueKind.String)
        {
            if (Resolve(root, reference.GetString()!) is { } target)
            {
                Check(root, target, value, path, errors, depth + 1);
            }
            else
            {
                errors.Add(new SchemaError(path, $"the schema's $ref '{reference.GetString()}' does not resolve"));
            }
        }

        if (schema.TryGetProperty("type", out var type) && !MatchesType(type, value))
        {
            errors.Add(new SchemaError(path, $"expected {Describe(type)}, got {KindName(value)}"));
            return;
        }

        if (schema.TryGetProperty("enum", out var options) && options.ValueKind == JsonValueKind.Array
            && !options.EnumerateArray().Any(o => JsonElement.DeepEquals(o, value)))
        {
            errors.Add(new SchemaError(path, $"must be one of {Shorten(options.GetRawText())}"));
        }

        if (schema.TryGetProperty("const", out var constant) && !JsonElement.DeepEquals(constant, value))
        {
            errors.Add(new SchemaError(path, $"must be {Shorten(constant.GetRawText())}"));
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                CheckObject(root, schema, value, path, errors, depth);
                break;
            case JsonValueKind.Array:
                CheckArray(root, schema, value, path, errors, depth);
                break;
            case JsonValueKind.String:
                CheckString(schema, value.GetString()!, path, errors);
                break;
            case JsonValueKind.Number:
                CheckNumber(schema, value, path, errors);
                break;
        }

        CheckCombinators(root, schema, value, path, errors, depth);
    }

    private static void CheckObject(JsonElement root, JsonElement schema, JsonElement value, string path, List<SchemaError> errors, int depth)
    {
        if (schema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array)
        {
            foreach (var name in required.EnumerateArray())
            {
                if (name.ValueKind == JsonValueKind.String && !value.TryGetProperty(name.GetString()!, out _))
                {
                    errors.Add(new SchemaError(path, $"missing required property '{name.GetString()}'"));
                }
            }
        }

        var hasProperties = schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object;
        schema.TryGetProperty("additionalProperties", out var additional);
        foreach (var property in value.EnumerateObject())
        {
            var childPath = path + "." + property.Name;
            if (hasProperties && properties.TryGetProperty(property.Name, out var propertySchema))
            {
                Check(root, propertySchema, property.Value, childPath, errors, depth + 1);
            }
            else if (additional.ValueKind == JsonValueKind.False)
            {
                errors.Add(new SchemaError(childPath, "is not an allowed property"));
            }
            else if (additional.ValueKind == JsonValueKind.Object)
            {
                Check(root, additional, property.Value, childPath, errors, depth + 1);
            }
        }
    }

    private static void CheckArray(JsonElement root, JsonElement schema, JsonElement value, string path, List<SchemaError> errors, int depth)
    {
        var count = value.GetArrayLength();
        if (Integer(schema, "minItems") is { } min && count < min)
        {
            errors.Add(new SchemaError(path, $"needs at least {min} items, has {count}"));
        }

        if (Integer(schema, "maxItems") is { } max && count > max)
        {
            errors.Add(new SchemaError(path, $"allows at most {max} items, has {count}"));
        }

        if (schema.TryGetProperty("items", out var items) && items.ValueKind is JsonValueKind.Object or JsonValueKind.False)
        {
            var index = 0;
            foreach (var item in value.EnumerateArray())
            {
                Check(root, items, item, $"{path}[{index++}]", errors, depth + 1);
            }
        }

        if (schema.TryGetProperty("uniqueItems", out var unique) && unique.ValueKind == JsonValueKind.True)
        {
            var seen = new List<JsonElement>();
            foreach (var item in value.EnumerateArray())
            {
                if (seen.Any(s => JsonElement.DeepEquals(s, item)))
                {
                    errors.Add(new SchemaError(path, "items must be unique"));
                    break;
                }

                seen.Add(item);
            }
        }
    }

    private static void CheckString(JsonElement schema, string text, string path, List<SchemaError> errors)
    {
        // Length counts code points, as the specification says (an emoji is one character, not two).
        var length = text.EnumerateRunes().Count();
        if (Integer(schema, "minLength") is { } min && length < min)
        {
            errors.Add(new SchemaError(path, $"must be at least {min} characters"));
        }

        if (Integer(schema, "maxLength") is { } max && length > max)
        {
            errors.Add(new SchemaError(path, $"must be at most {max} characters"));
        }

        if (schema.TryGetProperty("pattern", out var pattern) && pattern.ValueKind == JsonValueKind.String)
        {
            try
            {
                if (!Regex.IsMatch(text, pattern.GetString()!, RegexOptions.CultureInvariant, PatternTimeout))
                {
                    errors.Add(new SchemaError(path, $"must match the pattern {pattern.GetString()}"));
                }
            }
            catch (Exception ex) when (ex is ArgumentException or RegexMatchTimeoutException)
            {
                errors.Add(new SchemaError(path, "the schema's pattern cannot be evaluated"));
            }
        }
    }

    private static void CheckNumber(JsonElement schema, JsonElement value, string path, List<SchemaError> errors)
    {
        var number = value.GetDouble();
        if (Number(schema, "minimum") is { } min && number < min)
        {
            errors.Add(new SchemaError(path, $"must be >= {Format(min)}"));
        }

        if (Number(schema, "maximum") is { } max && number > max)
        {
            errors.Add(new SchemaError(path, $"must be <= {Format(max)}"));
        }

        if (Number(schema, "exclusiveMinimum") is { } xmin && number <= xmin)
        {
            errors.Add(new SchemaError(path, $"must be > {Format(xmin)}"));
        }

        if (Number(schema, "exclusiveMaximum") is { } xmax && number >= xmax)
        {
            errors.Add(new SchemaError(path, $"must be < {Format(xmax)}"));
        }

        if (Number(schema, "multipleOf") is { } step and > 0)
        {
            var quotient = number / step;
            if (Math.Abs(quotient - Math.Round(quotient)) > 1e-9)
            {
                errors.Add(new SchemaError(path, $"must be a multiple of {Format(step)}"));
            }
        }
    }

    private static void CheckCombinators(JsonElement root, JsonElement schema, JsonElement value, string path, List<SchemaError> errors, int depth)
    {
        if (schema.TryGetProperty("allOf", out var all) && all.ValueKind == JsonValueKind.Array)
        {
            foreach (var part in all.EnumerateArray())
            {
                Check(root, part, value, path, errors, depth + 1);
            }
        }

        if (schema.TryGetProperty("anyOf", out var any) && any.ValueKind == JsonValueKind.Array
            && !any.EnumerateArray().Any(part => IsValid(root, part, value, depth)))
        {
            errors.Add(new SchemaError(path, "matches none of the allowed shapes (anyOf)"));
        }

        if (schema.TryGetProperty("oneOf", out var one) && one.ValueKind == JsonValueKind.Array)
        {
            var matches = one.EnumerateArray().Count(part => IsValid(root, part, value, depth));
            if (matches != 1)
            {
                errors.Add(new SchemaError(path, matches == 0 ? "matches none of the allowed shapes (oneOf)" : "matches more than one shape (oneOf)"));
            }
        }

        if (schema.TryGetProperty("not", out var not) && IsValid(root, not, value, depth))
        {
            errors.Add(new SchemaError(path, "matches a shape that is not allowed (not)"));
        }
    }

    private static bool IsValid(JsonElement root, JsonElement schema, JsonElement value, int depth)
    {
        var scratch = new List<SchemaError>();
        Check(root, schema, value, "$", scratch, depth + 1);
        return scratch.Count == 0;
    }

    private static bool MatchesType(JsonElement type, JsonElement value) => type.ValueKind switch
    {
        JsonValueKind.String => MatchesType(type.GetString()!, value),
        JsonValueKind.Array => type.EnumerateArray().Any(t => t.ValueKind == JsonValueKind.String && MatchesType(t.GetString()!, value)),
        _ => true,
    };

    private static bool MatchesType(string type, JsonElement value) => type switch
    {
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "string" => value.ValueKind == JsonValueKind.String,
        "number" => value.ValueKind == JsonValueKind.Number,
        // 1.0 is an integer in JSON Schema; 1.5 is not.
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var d) && Math.Floor(d) == d && !double.IsInfinity(d),
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => true,
    };

    /// <summary>Follows a local JSON pointer such as <c>#/$defs/address</c>; null when it does not resolve.</summary>
    private static JsonElement? Resolve(JsonElement root, string reference)
    {
        if (reference == "#")
        {
            return root;
        }

        if (!reference.StartsWith("#/", StringComparison.Ordinal))
        {
            return null;
        }

        var current = root;
        foreach (var raw in reference[2..].Split('/'))
        {
            var token = Uri.UnescapeDataString(raw).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(token, out current))
            {
                return null;
            }
        }

        return current;
    }

    private static long? Integer(JsonElement schema, string name) =>
        schema.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) ? n : null;

    private static double? Number(JsonElement schema, string name) =>
        schema.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;

    private static string Describe(JsonElement type) => type.ValueKind == JsonValueKind.Array
        ? string.Join(" or ", type.EnumerateArray().Select(t => t.ToString()))
        : type.ToString();

    private static string KindName(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Shorten(string text) => text.Length <= 120 ? text : text[..120] + "…";
}

/// <summary>One way the arguments break the schema: where (<c>$.items[2].sku</c>) and what is wrong.</summary>
internal sealed record SchemaError(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}
