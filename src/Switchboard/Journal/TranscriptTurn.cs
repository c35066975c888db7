namespace Switchboard.Journal;

/// <summary>One turn of a call's transcript.</summary>
internal sealed record TranscriptTurn(string Role, string Text, string? ItemId, DateTimeOffset At, bool Interrupted, long? HeardMs);
