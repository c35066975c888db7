using System.Text.Json.Serialization;

namespace Switchboard.Agents;

/// <summary>Source-generated JSON for stored and served agent specs (camelCase, nulls omitted, unknown fields kept out).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    AllowTrailingCommas = true,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip)]
[JsonSerializable(typeof(AgentSpec))]
internal sealed partial class AgentJsonContext : JsonSerializerContext;
