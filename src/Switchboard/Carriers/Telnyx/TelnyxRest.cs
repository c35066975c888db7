using System.Net.Http.Headers;
using System.Text.Json;
using Switchboard.Calls;
using Switchboard.Configuration;

namespace Switchboard.Carriers.Telnyx;

/// <summary>
/// Telnyx call-control actions (<c>POST /v2/calls/{call_control_id}/actions/hangup|transfer</c>, <c>Authorization: Bearer</c>,
/// JSON bodies).
/// </summary>
internal static class TelnyxRest
{
    /// <summary>Telnyx's error code for "call has already ended".</summary>
    private const string AlreadyEndedCode = "90018";

    /// <summary>Builds the request for <paramref name="action"/>, or explains what configuration is missing.</summary>
    public static HttpRequestMessage? Build(TelnyxOptions options, CallStartInfo start, string action, Action<Utf8JsonWriter> body, out string? missing)
    {
        missing = null;
        if (string.IsNullOrEmpty(options.ApiKey))
        {
            missing = "the Telnyx API key is not configured (Switchboard:Telnyx:ApiKey)";
            return null;
        }

        if (string.IsNullOrEmpty(start.CarrierCallId))
        {
            missing = "the stream's start message carried no call_control_id";
            return null;
        }

        // call_control_id looks like "v3:…" (URL-safe base64): the colon stays as it is, anything else unusual is escaped.
        var id = Uri.EscapeDataString(start.CarrierCallId).Replace("%3A", ":", StringComparison.Ordinal);
        var url = $"{options.ApiBaseUrl.TrimEnd('/')}/v2/calls/{id}/actions/{action}";
        using var buffer = new MemoryStream();
        // Plain "+1555…" rather than "\u002B1555…": this body goes to an API, never into HTML.
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }

        var content = new ByteArrayContent(buffer.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }

    /// <summary>Reads Telnyx's error body (<c>{"errors":[{"code":"90018","title":"…","detail":"…"}]}</c>).</summary>
    public static (bool Gone, string? Message) ReadError(int status, string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (!doc.RootElement.TryGetProperty("errors", out var errors) || errors.ValueKind != JsonValueKind.Array || errors.GetArrayLength() == 0)
            {
                return (false, null);
            }

            var first = errors[0];
            var code = first.TryGetProperty("code", out var c) ? (c.ValueKind == JsonValueKind.String ? c.GetString() : c.GetRawText()) : null;
            var message = first.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()
                : first.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            return (status == 422 && code == AlreadyEndedCode, message);
        }
        catch (JsonException)
        {
            return (false, null);
        }
    }
}
