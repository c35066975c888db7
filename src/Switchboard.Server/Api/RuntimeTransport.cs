using System.Text.Json.Serialization;

namespace Switchboard.Server.Api;

/// <summary>A transport the endpoint allows and the URLs to use it; only the URLs that apply to its type are present.</summary>
internal sealed record RuntimeTransport
{
    /// <summary><c>websocket</c>, <c>twilio</c>, <c>telnyx</c> or <c>sip</c>.</summary>
    public required string Type { get; init; }

    /// <summary>websocket: the session WebSocket URL.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Url { get; init; }

    /// <summary>websocket: where to create a session (and its token) first.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? SessionsUrl { get; init; }

    /// <summary>twilio: the phone number's "A call comes in" webhook.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TwimlUrl { get; init; }

    /// <summary>twilio, telnyx: the media stream WebSocket URL (Telnyx also needs <c>?token=</c>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? StreamUrl { get; init; }

    /// <summary>sip: the OpenAI/Azure project's webhook for <c>realtime.call.incoming</c> (the SIP connector), naming this endpoint.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? WebhookUrl { get; init; }
}
