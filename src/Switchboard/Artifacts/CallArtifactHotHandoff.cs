using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.Artifacts;

/// <summary>A mid-call hot hand-off (the <c>hot_handoff</c> tool): why, and the data the agent attached.</summary>
internal sealed record CallArtifactHotHandoff([property: JsonConverter(typeof(CallArtifactTime))] DateTimeOffset At, string? ToolCallId, string? Reason, JsonElement? Data);
