using System.Text.Json;

namespace Switchboard.Agents.Tools;

/// <summary>
/// The built-in <c>hot_handoff</c> tool, declared by name in an endpoint's <c>tools</c> (without <c>http</c>): the agent
/// flags the conversation for immediate follow-up (a qualified lead, an urgent request) without ending it. The gateway
/// journals a <c>HandoffHot</c> event at once — which enqueues the <c>handoff.hot</c> webhook — and answers the model
/// <c>{"ok":true}</c>. A declaration without <c>description</c> or <c>parameters</c> gets the defaults here.
/// </summary>
internal static class HotHandoffTool
{
    public const string Name = "hot_handoff";

    public const string DefaultDescription =
        "Flag this conversation for immediate follow-up by the team, without ending it: for example a qualified lead or an urgent request. " +
        "Give a short reason and any details worth passing on, then carry on with the conversation.";

    /// <summary>What the model is told after a hot hand-off was recorded.</summary>
    public const string Output = """{"ok":true}""";

    public static readonly JsonElement DefaultParameters = JsonDocument.Parse("""
        {
          "type": "object",
          "properties": {
            "reason": { "type": "string", "description": "Why the team should follow up now, in a few words." },
            "data": { "type": "object", "description": "Details worth passing on, such as name, interest, budget or preferred time." }
          },
          "required": ["reason"]
        }
        """).RootElement.Clone();

    /// <summary>True for the built-in (an HTTP tool may use any name, this one included).</summary>
    public static bool Is(ToolSpec tool) => tool.Http is null && string.Equals(tool.Name, Name, StringComparison.Ordinal);

    /// <summary>The tools with the hot hand-off's description and parameters filled in where they were left out.</summary>
    public static IReadOnlyList<ToolSpec> WithDefaults(IReadOnlyList<ToolSpec>? tools)
    {
        tools ??= [];
        if (!tools.Any(t => Is(t) && (t.Description is null || t.Parameters is null)))
        {
            return tools;
        }

        return tools.Select(t => Is(t) ? t with { Description = t.Description ?? DefaultDescription, Parameters = t.Parameters ?? DefaultParameters } : t).ToList();
    }
}
