using System.Text.Json.Serialization;

namespace Switchboard.Control;

/// <summary>Source-generated JSON for what the control plane stores as text (a team's limits).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault)]
[JsonSerializable(typeof(TeamLimits))]
internal sealed partial class ControlJsonContext : JsonSerializerContext;
