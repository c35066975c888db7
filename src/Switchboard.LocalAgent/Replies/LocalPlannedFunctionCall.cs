namespace Switchboard.LocalAgent.Replies;

/// <summary>A function call a response will make.</summary>
internal sealed record LocalPlannedFunctionCall(string CallId, string Name, string Arguments);
