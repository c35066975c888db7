namespace Switchboard.Agents.Tools;

/// <summary>Runs the agent's tools. Returns the JSON string handed back to the model as <c>function_call_output</c>.</summary>
internal interface IToolInvoker
{
    Task<string> InvokeAsync(ToolCall call, CancellationToken cancellationToken);
}
