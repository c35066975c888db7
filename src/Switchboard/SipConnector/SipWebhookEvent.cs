namespace Switchboard.SipConnector;

/// <summary>
/// A webhook from the OpenAI (or Azure) platform as the SIP connector reads it: the event's <c>id</c> and <c>type</c>, and for
/// <c>realtime.call.incoming</c> the call's opaque <c>call_id</c> and the INVITE's headers (untrusted, in order).
/// </summary>
internal sealed record SipWebhookEvent(string Id, string Type, long CreatedAt, string? CallId, IReadOnlyList<KeyValuePair<string, string>> SipHeaders)
{
    /// <summary>The one event type that brings a call.</summary>
    public const string IncomingCall = "realtime.call.incoming";

    /// <summary>Headers kept from one INVITE at most; the rest are dropped.</summary>
    public const int MaxHeaders = 100;

    public bool IsIncomingCall => string.Equals(Type, IncomingCall, StringComparison.Ordinal);
}
