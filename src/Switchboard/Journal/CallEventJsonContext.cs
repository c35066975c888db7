using System.Text.Json.Serialization;

namespace Switchboard.Journal;

/// <summary>Source-generated JSON for journal lines (snake_case, enums as strings, nulls omitted).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CallEvent))]
internal sealed partial class CallEventJsonContext : JsonSerializerContext;
