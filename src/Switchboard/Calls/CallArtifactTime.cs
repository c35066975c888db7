using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.Calls;

/// <summary>Artifact times as in webhook bodies, whichever serializer writes them: <c>2026-11-23T01:27:20.101Z</c>.</summary>
internal sealed class CallArtifactTime : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Webhooks.WebhookPayloads.Time(value));
}
