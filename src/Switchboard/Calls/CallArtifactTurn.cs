namespace Switchboard.Calls;

/// <summary>One transcript turn; an agent turn the caller barged in on is <c>interrupted</c> with what was heard.</summary>
internal sealed record CallArtifactTurn(string Role, string Text, DateTimeOffset At, bool Interrupted, long? HeardMs);
