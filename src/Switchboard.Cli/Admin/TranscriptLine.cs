namespace Switchboard.Cli.Admin;

/// <summary>One turn of a call's transcript as the API serves it.</summary>
internal sealed record TranscriptLine(string Role, string Text, DateTimeOffset At, bool Interrupted, long? HeardMs);
