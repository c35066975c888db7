using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.Artifacts;

/// <summary>
/// One function call of the agent: its arguments and output as JSON (a string when they were not JSON), the outcome
/// (<c>ok</c> or an error code) and the kind (<c>tool</c>, <c>browser_action</c>, …).
/// </summary>
internal sealed record CallArtifactToolCall(string Name, string? CallId, string? Kind, string? Outcome, JsonElement? Arguments, JsonElement? Output, [property: JsonConverter(typeof(CallArtifactTime))] DateTimeOffset At);
