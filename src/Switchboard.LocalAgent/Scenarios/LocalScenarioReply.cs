namespace Switchboard.LocalAgent.Scenarios;

/// <summary>
/// One scripted answer. A reply speaks a message (<see cref="Text"/> and/or <see cref="Audio"/>), makes a
/// <see cref="FunctionCall"/>, or both (message first). <see cref="Then"/> is spoken by the response that
/// follows the call's <c>function_call_output</c>.
/// </summary>
internal sealed record LocalScenarioReply(
    string? Text,
    LocalAudioSource? Audio,
    LocalScenarioFunctionCall? FunctionCall = null,
    LocalScenarioReply? Then = null)
{
    /// <summary>True when the reply contains an assistant message (as opposed to only a function call).</summary>
    public bool HasMessage => Text is not null || Audio is not null;
}
