namespace Switchboard.Calls;

/// <summary>A function call the agent asked for (from <c>response.function_call_arguments.done</c>).</summary>
internal sealed record ToolCall(string CallId, string ToolCallId, string Name, string ArgumentsJson);
