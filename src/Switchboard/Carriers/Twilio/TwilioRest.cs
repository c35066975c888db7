using System.Net.Http.Headers;
using System.Security;
using System.Text;
using System.Text.Json;
using Switchboard.Calls;
using Switchboard.Configuration;

namespace Switchboard.Carriers.Twilio;

/// <summary>
/// Requests to Twilio's Calls resource (<c>POST /2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json</c>, Basic
/// <c>AccountSid:AuthToken</c>, form-encoded): <c>Status=completed</c> hangs up, <c>Twiml=&lt;Response&gt;&lt;Dial&gt;…</c> transfers.
/// </summary>
internal static class TwilioRest
{
    /// <summary>Twilio's error code for "the requested resource was not found" (the call is gone).</summary>
    private const int NotFoundCode = 20404;

    /// <summary>Builds the request, or explains what configuration is missing.</summary>
    public static HttpRequestMessage? Build(TwilioOptions options, CallStartInfo start, IEnumerable<KeyValuePair<string, string>> form, out string? missing)
    {
        missing = null;
        // The call's own account in the path (a subaccount's call is addressed under it); the configured account authenticates.
        var pathAccount = !string.IsNullOrEmpty(start.AccountId) ? start.AccountId : options.AccountSid;
        var authAccount = !string.IsNullOrEmpty(options.AccountSid) ? options.AccountSid : start.AccountId;
        if (string.IsNullOrEmpty(options.AuthToken) || string.IsNullOrEmpty(authAccount) || string.IsNullOrEmpty(pathAccount))
        {
            missing = "Twilio REST credentials are not configured (Switchboard:Twilio:AuthToken, and AccountSid unless the stream's start carries it)";
            return null;
        }

        if (string.IsNullOrEmpty(start.CarrierCallId))
        {
            missing = "the stream's start message carried no callSid";
            return null;
        }

        var url = $"{options.ApiBaseUrl.TrimEnd('/')}/2010-04-01/Accounts/{Uri.EscapeDataString(pathAccount)}/Calls/{Uri.EscapeDataString(start.CarrierCallId)}.json";
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{authAccount}:{options.AuthToken}")));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }

    public static IEnumerable<KeyValuePair<string, string>> HangUpForm() => [new("Status", "completed")];

    public static IEnumerable<KeyValuePair<string, string>> TransferForm(string to, string? callerId) => [new("Twiml", DialTwiml(to, callerId))];

    /// <summary><c>&lt;Response&gt;&lt;Dial callerId="…"&gt;+1555…&lt;/Dial&gt;&lt;/Response&gt;</c>, with <c>&lt;Sip&gt;</c> for SIP URIs; every value XML-escaped.</summary>
    public static string DialTwiml(string to, string? callerId)
    {
        var builder = new StringBuilder("<Response><Dial");
        if (!string.IsNullOrEmpty(callerId))
        {
            builder.Append(" callerId=\"").Append(SecurityElement.Escape(callerId)).Append('"');
        }

        builder.Append('>');
        var escaped = SecurityElement.Escape(to);
        if (to.StartsWith("sip:", StringComparison.OrdinalIgnoreCase) || to.StartsWith("sips:", StringComparison.OrdinalIgnoreCase))
        {
            builder.Append("<Sip>").Append(escaped).Append("</Sip>");
        }
        else
        {
            builder.Append(escaped);
        }

        return builder.Append("</Dial></Response>").ToString();
    }

    /// <summary>Reads Twilio's error body (<c>{"code":20404,"message":"…"}</c>): whether it says the call is gone, and its message.</summary>
    public static (bool Gone, string? Message) ReadError(int status, string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            var code = root.TryGetProperty("code", out var c) && c.TryGetInt32(out var n) ? n : 0;
            var message = root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            return (status == 404 && code == NotFoundCode, message);
        }
        catch (JsonException)
        {
            return (false, null);
        }
    }
}
