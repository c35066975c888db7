namespace Switchboard.Agents.Tools;

/// <summary>A function call the agent asked for (from <c>response.function_call_arguments.done</c>).</summary>
/// <param name="CallId">The conversation (call or session connection) it belongs to.</param>
/// <param name="ToolCallId">The backend's <c>call_id</c> of the function call.</param>
/// <param name="Name">The function's name.</param>
/// <param name="ArgumentsJson">The arguments as the model wrote them (already checked against the tool's schema).</param>
internal sealed record ToolCall(string CallId, string ToolCallId, string Name, string ArgumentsJson)
{
    /// <summary>The endpoint's declaration of the tool, when it declares it.</summary>
    public ToolSpec? Spec { get; init; }

    /// <summary>Who is calling: team, endpoint, carrier, caller number.</summary>
    public ToolCallContext? Context { get; init; }
}

/// <summary>The conversation a tool runs for, as an HTTP tool may pass it on.</summary>
internal sealed record ToolCallContext(Guid TeamId, Guid EndpointId, string Carrier, string? From);
