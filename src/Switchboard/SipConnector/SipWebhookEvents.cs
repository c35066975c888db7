using System.Text.Json;
using Switchboard.Transport;

namespace Switchboard.SipConnector;

/// <summary>Parses a webhook body (raw bytes, already verified) into a <see cref="SipWebhookEvent"/>. Never throws on hostile input.</summary>
internal static class SipWebhookEvents
{
    /// <summary>
    /// True with the event when <paramref name="body"/> is a JSON object with a string <c>type</c> (and, for an incoming
    /// call, <c>data.call_id</c>); false with what is wrong otherwise.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> body, out SipWebhookEvent? evt, out string? problem)
    {
        evt = null;
        problem = null;
        // The gateway's one rule for JSON from outside (see JsonInput): nothing below can then throw on a hostile string.
        if (!JsonInput.TryParse(body.ToArray(), out var root, out var invalid))
        {
            problem = "the body is not acceptable JSON: " + invalid!.Message;
            return false;
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            problem = "the body is not a JSON object";
            return false;
        }

        if (Str(root, "type") is not { Length: > 0 } type)
        {
            problem = "the event has no type";
            return false;
        }

        var id = Str(root, "id") ?? "";
        var createdAt = root.TryGetProperty("created_at", out var c) && c.ValueKind == JsonValueKind.Number && c.TryGetInt64(out var at) ? at : 0;
        var data = root.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object ? d : default;
        var callId = data.ValueKind == JsonValueKind.Object ? Str(data, "call_id") : null;
        var headers = new List<KeyValuePair<string, string>>();
        if (data.ValueKind == JsonValueKind.Object && data.TryGetProperty("sip_headers", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var header in list.EnumerateArray())
            {
                if (headers.Count >= SipWebhookEvent.MaxHeaders)
                {
                    break;
                }

                if (Str(header, "name") is { Length: > 0 and <= 128 } name && Str(header, "value") is { } value)
                {
                    headers.Add(new(name, value.Length > SipHeaders.MaxValueLength ? value[..SipHeaders.MaxValueLength] : value));
                }
            }
        }

        if (string.Equals(type, SipWebhookEvent.IncomingCall, StringComparison.Ordinal) && string.IsNullOrWhiteSpace(callId))
        {
            problem = "realtime.call.incoming without data.call_id";
            return false;
        }

        if (callId is { Length: > 256 })
        {
            problem = "data.call_id is longer than 256 characters";
            return false;
        }

        evt = new SipWebhookEvent(id, type, createdAt, callId, headers);
        return true;
    }

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
