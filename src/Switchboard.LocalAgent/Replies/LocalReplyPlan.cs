namespace Switchboard.LocalAgent.Replies;

/// <summary>
/// What one response will contain: an assistant message (<see cref="Transcript"/> is its transcript in
/// audio modality, its text in text modality) and/or a function call.
/// </summary>
internal sealed record LocalReplyPlan(bool HasMessage, string Transcript, LocalPlannedAudio Audio, LocalPlannedFunctionCall? FunctionCall = null)
{
    public static LocalReplyPlan Message(string transcript, LocalPlannedAudio audio) => new(true, transcript, audio);
}
