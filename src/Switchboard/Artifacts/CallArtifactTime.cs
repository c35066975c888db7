using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.Artifacts;

/// <summary>Artifact times as in webhook bodies, whichever serializer writes them: <c>2026-11-23T01:27:20.101Z</c>.</summary>
internal sealed class CallArtifactTime : JsonConverter<DateTimeOffset>
{
    /// <summary>ISO 8601 UTC with milliseconds: every timestamp of an artifact and of a webhook body.</summary>
    public static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Format(value));
}
