using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Switchboard.Agents;

/// <summary>Reads and writes <see cref="AgentSpec"/> JSON: strict for API input (a misspelt field is an error), lenient for stored rows.</summary>
/// <remarks>
/// Source-generated deserialization sets every <c>init</c> property through one object initializer, so a field
/// missing from the JSON would come out as <c>null</c>/0 instead of the record's default. Parsing therefore first
/// fills missing fields (at every object level) from a default spec, which keeps "missing fields take the defaults".
/// </remarks>
internal static class AgentSpecJson
{
    private static readonly AgentJsonContext Lenient = new(new JsonSerializerOptions(AgentJsonContext.Default.Options)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    });

    private static readonly JsonDocumentOptions DocumentOptions = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    private static readonly JsonObject Defaults = JsonNode.Parse(Serialize(new AgentSpec()))!.AsObject();

    public static string Serialize(AgentSpec spec) => JsonSerializer.Serialize(spec, AgentJsonContext.Default.AgentSpec);

    /// <summary>Parses API input; unknown fields and malformed JSON throw <see cref="JsonException"/>.</summary>
    public static AgentSpec ParseStrict(string json) =>
        Parse(JsonNode.Parse(json, documentOptions: DocumentOptions), AgentJsonContext.Default.AgentSpec) ?? throw new JsonException("the agent spec is null");

    /// <summary>Parses API input already read as a JSON object (not modified); unknown fields and wrong types throw <see cref="JsonException"/>.</summary>
    public static AgentSpec ParseStrict(JsonObject json) =>
        Parse(json.DeepClone(), AgentJsonContext.Default.AgentSpec) ?? throw new JsonException("the agent spec is null");

    /// <summary>Parses a stored row, ignoring fields this version does not know.</summary>
    public static AgentSpec ParseStored(string json) =>
        Parse(JsonNode.Parse(json, documentOptions: DocumentOptions), Lenient.AgentSpec) ?? new AgentSpec();

    private static AgentSpec? Parse(JsonNode? node, JsonTypeInfo<AgentSpec> typeInfo)
    {
        if (node is JsonObject spec)
        {
            FillMissing(spec, Defaults);
        }

        return node.Deserialize(typeInfo);
    }

    /// <summary>Adds each default field the target lacks; recurses into objects present on both sides. Explicit nulls stay.</summary>
    private static void FillMissing(JsonObject target, JsonObject defaults)
    {
        foreach (var (name, value) in defaults)
        {
            if (!target.TryGetPropertyValue(name, out var present))
            {
                target[name] = value?.DeepClone();
            }
            else if (present is JsonObject nested && value is JsonObject nestedDefaults)
            {
                FillMissing(nested, nestedDefaults);
            }
        }
    }
}
