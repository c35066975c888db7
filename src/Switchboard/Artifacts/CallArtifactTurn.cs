using System.Text.Json.Serialization;

namespace Switchboard.Artifacts;

/// <summary>One transcript turn; an agent turn the caller barged in on is <c>interrupted</c> with what was heard.</summary>
internal sealed record CallArtifactTurn(string Role, string Text, [property: JsonConverter(typeof(CallArtifactTime))] DateTimeOffset At, bool Interrupted, long? HeardMs);
