using Switchboard.Journal;

namespace Switchboard.Server.Api;

/// <summary>One transcript turn.</summary>
/// <param name="Role"><c>caller</c> or <c>agent</c>.</param>
/// <param name="Text">What was said (the local backend describes audio it cannot transcribe, e.g. <c>(1.4 s of speech)</c>).</param>
/// <param name="At">When the turn was recorded.</param>
/// <param name="Interrupted">The caller barged in on this agent turn.</param>
/// <param name="HeardMs">For an interrupted agent turn: how much of it the caller heard, in milliseconds.</param>
internal sealed record TranscriptTurnResponse(string Role, string Text, DateTimeOffset At, bool Interrupted, long? HeardMs)
{
    public static TranscriptTurnResponse From(TranscriptTurn turn) => new(turn.Role, turn.Text, turn.At, turn.Interrupted, turn.HeardMs);
}
