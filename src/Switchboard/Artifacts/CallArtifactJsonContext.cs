using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.Artifacts;

/// <summary>Source-generated JSON for <see cref="CallArtifact"/>: camelCase, every field written (null when unknown), UTC times with milliseconds.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(CallArtifact))]
[JsonSerializable(typeof(string))]
internal sealed partial class CallArtifactJsonContext : JsonSerializerContext
{
    /// <summary>The artifact as JSON text (the same bytes the API serves and the webhook carries as <c>data</c>).</summary>
    public static string Serialize(CallArtifact artifact) => JsonSerializer.Serialize(artifact, Default.CallArtifact);
}
