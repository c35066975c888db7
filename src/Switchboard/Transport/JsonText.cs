using System.Text.Json;

namespace Switchboard.Transport;

/// <summary>Small JSON objects as strings (tool outputs, error bodies): off the audio path, so a fresh buffer each time is fine.</summary>
internal static class JsonText
{
    /// <summary>Writes <c>{ … }</c> with <paramref name="writeProperties"/> filling in the properties.</summary>
    public static string Object(Action<Utf8JsonWriter> writeProperties)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            writeProperties(w);
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
