using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Switchboard.Artifacts;
using Switchboard.Journal;

namespace Switchboard.Webhooks;

/// <summary>
/// Builds delivery bodies: <c>{"type":"…","timestamp":"…Z","data":{…}}</c>. The bytes are built once, stored with the
/// delivery and sent unchanged on every attempt. Non-ASCII text is \u-escaped, so the body is plain ASCII.
/// </summary>
internal static class WebhookPayloads
{
    /// <summary>A body of <paramref name="type"/> at <paramref name="at"/> whose <c>data</c> object is written by <paramref name="writeData"/>.</summary>
    public static string Envelope(string type, DateTimeOffset at, Action<Utf8JsonWriter> writeData)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", type);
            writer.WriteString("timestamp", Time(at));
            writer.WritePropertyName("data");
            writer.WriteStartObject();
            writeData(writer);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>A body whose <c>data</c> is an already serialised JSON object (for later event types such as <c>call.artifact</c>).</summary>
    public static string Envelope(string type, DateTimeOffset at, JsonElement data)
    {
        if (data.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("webhook data must be a JSON object", nameof(data));
        }

        return Envelope(type, at, w =>
        {
            foreach (var property in data.EnumerateObject())
            {
                property.WriteTo(w);
            }
        });
    }

    /// <summary><c>call.started</c>, from the call's <c>CallStarted</c> event.</summary>
    public static string CallStarted(CallEvent started) =>
        Envelope(WebhookEventTypes.CallStarted, started.At, w => WriteCall(w, started, null));

    /// <summary><c>call.ended</c>, from the call's <c>CallStarted</c> (null if it was never stored) and <c>CallEnded</c> events.</summary>
    public static string CallEnded(CallEvent? started, CallEvent ended) =>
        Envelope(WebhookEventTypes.CallEnded, ended.At, w => WriteCall(w, started, ended));

    /// <summary>The body of <c>call.refused</c>: the call as <c>call.ended</c> shows it, begun and ended at the refusal.</summary>
    public static string CallRefused(CallEvent refused) =>
        Envelope(WebhookEventTypes.CallRefused, refused.At, w => WriteCall(w, refused, refused));

    /// <summary>ISO 8601 UTC with milliseconds, as every timestamp in a body.</summary>
    public static string Time(DateTimeOffset at) => CallArtifactTime.Format(at);

    private static void WriteCall(Utf8JsonWriter w, CallEvent? started, CallEvent? ended)
    {
        var callId = started?.CallId ?? ended!.CallId;
        w.WriteString("callId", callId);
        WriteData(w, "teamId", started, CallEventKeys.TeamId);
        WriteData(w, "endpointId", started, CallEventKeys.EndpointId);
        WriteData(w, "endpoint", started, "endpoint");
        WriteData(w, "carrier", started, CallEventKeys.Carrier);
        WriteData(w, "carrierCallId", started, CallEventKeys.CarrierCallId);
        WriteData(w, "sessionId", started, CallEventKeys.SessionId);
        WriteData(w, "from", started, CallEventKeys.From);
        WriteData(w, "to", started, CallEventKeys.To);
        CallMetadata.Write(w, CallMetadata.Of(started));
        if (started is null)
        {
            w.WriteNull("startedAt");
        }
        else
        {
            w.WriteString("startedAt", Time(started.At));
        }

        if (ended is null)
        {
            return;
        }

        w.WriteString("endedAt", Time(ended.At));
        w.WriteString("reason", ended.Reason);
        w.WriteString("detail", ended.Detail);
        if (ended.Data is { } data && data.TryGetValue("duration_ms", out var text) && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms))
        {
            w.WriteNumber("durationMs", ms);
        }
        else
        {
            w.WriteNull("durationMs");
        }
    }

    private static void WriteData(Utf8JsonWriter w, string name, CallEvent? e, string key)
    {
        if (e?.Data is { } data && data.TryGetValue(key, out var value))
        {
            w.WriteString(name, value);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
