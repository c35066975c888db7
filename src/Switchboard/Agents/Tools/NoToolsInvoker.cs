using System.Text.Json;

namespace Switchboard.Agents.Tools;

/// <summary>
/// The default until agent tools are configured: every call gets a structured error, so the model can tell
/// the caller it cannot do that instead of waiting forever for an output.
/// </summary>
internal sealed class NoToolsInvoker : IToolInvoker
{
    public Task<string> InvokeAsync(ToolCall call, CancellationToken cancellationToken)
    {
        var output = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["error"] = "tool_not_available",
            ["message"] = $"The tool '{call.Name}' is not available on this line.",
        });
        return Task.FromResult(output);
    }
}
