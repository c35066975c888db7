namespace Switchboard.LocalAgent.Scenarios;

/// <summary>A function call a scripted reply makes; <see cref="Arguments"/> is a JSON object serialized as a string.</summary>
internal sealed record LocalScenarioFunctionCall(string Name, string Arguments);
