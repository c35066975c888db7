using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Switchboard.Agents;

/// <summary>Reads and writes <see cref="AgentSpec"/> JSON: strict for API input (a misspelt field is an error), lenient for stored rows.</summary>
internal static class AgentSpecJson
{
    private static readonly AgentJsonContext Lenient = new(new JsonSerializerOptions(AgentJsonContext.Default.Options)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    });

    private static readonly JsonDocumentOptions DocumentOptions = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    /// <summary>A spec with every default, as JSON (nulls omitted), parsed once and cloned per use.</summary>
    private static readonly Lazy<JsonObject> Defaults = new(() => JsonNode.Parse(Serialize(new AgentSpec()))!.AsObject());

    public static string Serialize(AgentSpec spec) => JsonSerializer.Serialize(spec, AgentJsonContext.Default.AgentSpec);

    /// <summary>Parses API input; unknown fields and malformed JSON throw <see cref="JsonException"/>. Missing fields take the defaults.</summary>
    public static AgentSpec ParseStrict(string json) =>
        WithToolDefaults(JsonSerializer.Deserialize(WithDefaults(json), AgentJsonContext.Default.AgentSpec) ?? throw new JsonException("the agent spec is null"));

    /// <summary>Parses a stored row, ignoring fields this version does not know; missing fields take the defaults.</summary>
    public static AgentSpec ParseStored(string json) =>
        json.AsSpan().Trim() is "null" ? new AgentSpec() : WithToolDefaults(JsonSerializer.Deserialize(WithDefaults(json), Lenient.AgentSpec) ?? new AgentSpec());

    /// <summary>The <c>hot_handoff</c> built-in's description and parameters filled in where the endpoint left them out.</summary>
    private static AgentSpec WithToolDefaults(AgentSpec spec) =>
        spec.Tools is { } tools && Tools.HotHandoffTool.WithDefaults(tools) is var filled && !ReferenceEquals(filled, tools) ? spec with { Tools = filled } : spec;

    /// <summary>
    /// The input laid over the defaults, objects merged field by field. The source-generated serializer builds init-only
    /// properties with an object initializer, so a field missing from the JSON would otherwise become null or 0 instead of
    /// its declared default (dotnet/runtime#84484).
    /// </summary>
    private static JsonObject WithDefaults(string json)
    {
        if (JsonNode.Parse(json, documentOptions: DocumentOptions) is not JsonObject input)
        {
            throw new JsonException("the agent spec must be a JSON object");
        }

        var result = (JsonObject)Defaults.Value.DeepClone();
        Overlay(result, input);
        return result;
    }

    private static void Overlay(JsonObject target, JsonObject source)
    {
        foreach (var (key, value) in source)
        {
            if (value is JsonObject nested && target[key] is JsonObject existing)
            {
                Overlay(existing, nested);
            }
            else
            {
                target[key] = value?.DeepClone();
            }
        }
    }
}
