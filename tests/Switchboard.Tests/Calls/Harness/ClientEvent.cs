using System.Text.Json;
using Switchboard.Agents.Tools;
using Switchboard.Artifacts;
using Switchboard.Journal;

namespace Switchboard.Tests.Calls.Harness;

/// <summary>One client event the bridge sent to the agent leg, as the backend received it.</summary>
internal sealed record ClientEvent(string Type, string Json, JsonElement Root)
{
    public static ClientEvent Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement.Clone();
        var type = root.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "";
        return new ClientEvent(type, json, root);
    }

    /// <summary>The string at a property path (<c>"item", "call_id"</c>), or null.</summary>
    public string? Str(params string[] path) => At(path) is { ValueKind: JsonValueKind.String } e ? e.GetString() : null;

    /// <summary>The number at a property path, or null.</summary>
    public long? Long(params string[] path) => At(path) is { ValueKind: JsonValueKind.Number } e ? e.GetInt64() : null;

    /// <summary>The element at a property path, or null when a step is missing.</summary>
    public JsonElement? At(params string[] path)
    {
        var current = Root;
        foreach (var name in path)
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(name, out current))
            {
                return null;
            }
        }

        return current;
    }

    public override string ToString() => Json;
}
