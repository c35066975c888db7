namespace Switchboard.Backends.Local;

/// <summary>A function call a response will make.</summary>
internal sealed record LocalPlannedFunctionCall(string CallId, string Name, string Arguments);
