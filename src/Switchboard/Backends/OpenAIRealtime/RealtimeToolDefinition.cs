using System.Text.Json;

namespace Switchboard.Backends.OpenAIRealtime;

/// <summary>A function tool as the GA session expects it: flat <c>{type:"function", name, description, parameters}</c>.</summary>
internal sealed record RealtimeToolDefinition(string Name, string Description, JsonElement Parameters);
