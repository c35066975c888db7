using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.Calls;

/// <summary>Source-generated JSON for <see cref="CallArtifact"/>: camelCase, every field written (null when unknown), UTC times with milliseconds.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    Converters = [typeof(UtcMillisecondsConverter)])]
[JsonSerializable(typeof(CallArtifact))]
internal sealed partial class CallArtifactJsonContext : JsonSerializerContext
{
    /// <summary>The artifact as JSON text (the same bytes the API serves and the webhook carries as <c>data</c>).</summary>
    public static string Serialize(CallArtifact artifact) => JsonSerializer.Serialize(artifact, Default.CallArtifact);

    /// <summary>Times as in webhook bodies: <c>2026-11-23T01:27:20.101Z</c>.</summary>
    internal sealed class UtcMillisecondsConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.GetDateTimeOffset();

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(Webhooks.WebhookPayloads.Time(value));
    }
}
