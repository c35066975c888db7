using System.Text.Json;

namespace Switchboard.Agents.Tools;

/// <summary>
/// The gateway's own tools, declared by name in an endpoint's <c>tools</c> without an <c>http</c> block:
/// <c>end_call</c> (say goodbye, then hang up) and <c>transfer_call</c>/<c>handoff_human</c> (announce, then transfer
/// the phone call to one of the endpoint's <c>transfer.targets</c>). A declaration without <c>description</c> or
/// <c>parameters</c> gets the defaults here, so the model knows how to call it.
/// </summary>
internal static class BuiltInTools
{
    public const string EndCall = "end_call";
    public const string TransferCall = "transfer_call";

    /// <summary>An alias of <see cref="TransferCall"/> whose name tells the model it reaches a person.</summary>
    public const string HandoffHuman = "handoff_human";

    public static IReadOnlyList<string> Names { get; } = [EndCall, TransferCall, HandoffHuman];

    /// <summary>True for a built-in tool: a built-in name and no <c>http</c> block (an HTTP tool may use any name).</summary>
    public static bool IsBuiltIn(ToolSpec tool) => tool.Http is null && Names.Contains(tool.Name, StringComparer.Ordinal);

    public static bool IsTransfer(ToolSpec tool) => IsBuiltIn(tool) && tool.Name is TransferCall or HandoffHuman;

    public static bool IsEndCall(ToolSpec tool) => IsBuiltIn(tool) && tool.Name == EndCall;

    /// <summary>The endpoint's tools as offered to the model and checked by <see cref="ToolRunner"/>: built-ins with their defaults filled in.</summary>
    public static IReadOnlyList<ToolSpec> Effective(AgentSpec spec)
    {
        var tools = spec.Tools ?? [];
        if (!tools.Any(IsBuiltIn))
        {
            return tools;
        }

        return tools.Select(t => IsBuiltIn(t) ? WithDefaults(t, spec.Transfer) : t).ToList();
    }

    /// <summary>A built-in declaration with <c>description</c> and <c>parameters</c> filled in where the endpoint left them out.</summary>
    public static ToolSpec WithDefaults(ToolSpec tool, TransferSpec? transfer)
    {
        if (tool.Description is not null && tool.Parameters is not null)
        {
            return tool;
        }

        var targets = transfer?.Targets ?? [];
        return tool with
        {
            Description = tool.Description ?? DefaultDescription(tool.Name, targets),
            Parameters = tool.Parameters ?? DefaultParameters(tool.Name, targets),
        };
    }

    /// <summary>
    /// Picks the target the arguments name, from the allow-list only. With a single target and no <c>target</c> argument,
    /// that target. Returns an explanation for the model when nothing allowed is named.
    /// </summary>
    public static TransferTargetSpec? ResolveTarget(TransferSpec? transfer, string argumentsJson, out string? reason, out string? problem)
    {
        var targets = transfer?.Targets ?? [];
        string? requested = null;
        reason = null;
        problem = null;
        try
        {
            using var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(argumentsJson) ? "{}" : argumentsJson);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                if (doc.RootElement.TryGetProperty("target", out var t) && t.ValueKind == JsonValueKind.String)
                {
                    requested = t.GetString();
                }

                if (doc.RootElement.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String)
                {
                    reason = r.GetString();
                }
            }
        }
        catch (JsonException)
        {
            problem = "the arguments are not valid JSON";
            return null;
        }

        if (targets.Count == 0)
        {
            problem = "this line has no transfer targets configured";
            return null;
        }

        if (string.IsNullOrEmpty(requested))
        {
            if (targets.Count == 1)
            {
                return targets[0];
            }

            problem = "name a target: one of " + string.Join(", ", targets.Select(x => x.Name));
            return null;
        }

        var match = targets.FirstOrDefault(x => string.Equals(x.Name, requested, StringComparison.Ordinal));
        if (match is null)
        {
            problem = $"'{Shorten(requested)}' is not an allowed target; the allowed targets are: " + string.Join(", ", targets.Select(x => x.Name));
        }

        return match;
    }

    private static string DefaultDescription(string name, IReadOnlyList<TransferTargetSpec> targets)
    {
        if (name == EndCall)
        {
            return "End the call. Use it when the conversation is finished or the caller says goodbye. "
                + "After calling it, say one short goodbye; the line is hung up when you finish speaking.";
        }

        var lead = name == HandoffHuman
            ? "Hand the caller over to a person. Use it when the caller asks for a human or you cannot help."
            : "Transfer the call to another line.";
        var list = string.Join("; ", targets.Select(t => t.Description is { Length: > 0 } d ? $"{t.Name}: {d}" : t.Name));
        return $"{lead} After calling it, tell the caller in one short sentence that you are transferring them. Targets: {list}.";
    }

    private static JsonElement DefaultParameters(string name, IReadOnlyList<TransferTargetSpec> targets)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("type"u8, "object"u8);
            w.WriteStartObject("properties"u8);
            if (name != EndCall)
            {
                w.WriteStartObject("target"u8);
                w.WriteString("type"u8, "string"u8);
                w.WriteString("description"u8, "Where to transfer the caller."u8);
                w.WriteStartArray("enum"u8);
                foreach (var target in targets)
                {
                    w.WriteStringValue(target.Name);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteStartObject("reason"u8);
            w.WriteString("type"u8, "string"u8);
            w.WriteString("description"u8, name == EndCall ? "Why the call ends, in a few words."u8 : "Why the caller is transferred, in a few words."u8);
            w.WriteNumber("maxLength"u8, 500);
            w.WriteEndObject();
            w.WriteEndObject();
            if (name != EndCall && targets.Count > 1)
            {
                w.WriteStartArray("required"u8);
                w.WriteStringValue("target"u8);
                w.WriteEndArray();
            }

            w.WriteBoolean("additionalProperties"u8, false);
            w.WriteEndObject();
        }

        using var doc = JsonDocument.Parse(buffer.ToArray());
        return doc.RootElement.Clone();
    }

    private static string Shorten(string value) => value.Length > 64 ? value[..64] + "…" : value;

    /// <summary>The <c>reason</c> argument of a built-in or hand-off call (null when missing or not a string).</summary>
    public static string? Reason(string argumentsJson)
    {
        try
        {
            using var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(argumentsJson) ? "{}" : argumentsJson);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String
                ? r.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
