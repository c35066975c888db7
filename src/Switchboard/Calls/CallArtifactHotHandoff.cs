using System.Text.Json;

namespace Switchboard.Calls;

/// <summary>A mid-call hot hand-off (the <c>hot_handoff</c> tool): why, and the data the agent attached.</summary>
internal sealed record CallArtifactHotHandoff(DateTimeOffset At, string? ToolCallId, string? Reason, JsonElement? Data);
