using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.Agents;

/// <summary>Reads and writes <see cref="AgentSpec"/> JSON: strict for API input (a misspelt field is an error), lenient for stored rows.</summary>
internal static class AgentSpecJson
{
    private static readonly AgentJsonContext Lenient = new(new JsonSerializerOptions(AgentJsonContext.Default.Options)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    });

    public static string Serialize(AgentSpec spec) => JsonSerializer.Serialize(spec, AgentJsonContext.Default.AgentSpec);

    /// <summary>Parses API input; unknown fields and malformed JSON throw <see cref="JsonException"/>.</summary>
    public static AgentSpec ParseStrict(string json) =>
        JsonSerializer.Deserialize(json, AgentJsonContext.Default.AgentSpec) ?? throw new JsonException("the agent spec is null");

    /// <summary>Parses a stored row, ignoring fields this version does not know.</summary>
    public static AgentSpec ParseStored(string json) =>
        JsonSerializer.Deserialize(json, Lenient.AgentSpec) ?? new AgentSpec();
}
