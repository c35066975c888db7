using System.Text.Json.Serialization;

namespace Switchboard.Artifacts;

/// <summary>A transfer's outcome (<c>accepted</c> or <c>failed</c>), the allow-listed target, and what the carrier said.</summary>
internal sealed record CallArtifactTransfer(string? Outcome, string? Target, string? To, string? Detail, [property: JsonConverter(typeof(CallArtifactTime))] DateTimeOffset At);
