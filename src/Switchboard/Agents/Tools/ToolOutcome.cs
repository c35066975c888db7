using Switchboard.Transport;

namespace Switchboard.Agents.Tools;

/// <summary>What a tool call produced: the output handed to the model, and how it went (for the journal).</summary>
/// <param name="OutputJson">The <c>function_call_output</c> text.</param>
/// <param name="Status"><see cref="Ok"/> or one of the error codes below.</param>
/// <param name="Elapsed">How long the tool ran (zero when it never started).</param>
internal sealed record ToolOutcome(string OutputJson, string Status, TimeSpan Elapsed)
{
    public const string Ok = "ok";
    public const string UnknownTool = "unknown_tool";
    public const string InvalidArguments = "invalid_arguments";
    public const string Timeout = "tool_timeout";
    public const string Failed = "tool_failed";

    /// <summary>A structured error for the model: <c>{"error": code, "message": …, "details"?: […]}</c>.</summary>
    public static ToolOutcome Error(string code, string message, IReadOnlyList<string>? details = null)
    {
        var output = JsonText.Object(w =>
        {
            w.WriteString("error"u8, code);
            w.WriteString("message"u8, message);
            if (details is { Count: > 0 })
            {
                w.WriteStartArray("details"u8);
                foreach (var detail in details)
                {
                    w.WriteStringValue(detail);
                }

                w.WriteEndArray();
            }
        });
        return new ToolOutcome(output, code, TimeSpan.Zero);
    }
}
