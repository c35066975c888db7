namespace Switchboard.Agents;

/// <summary>The ways a caller reaches an endpoint (its allowed <c>carriers</c>).</summary>
internal static class Transports
{
    /// <summary>The session WebSocket (<c>/ws/session</c>), used by browsers and SDKs.</summary>
    public const string WebSocket = "websocket";

    public const string Twilio = "twilio";

    public const string Telnyx = "telnyx";

    /// <summary>Phone calls through the OpenAI or Azure Realtime SIP connector (the webhook <c>/openai/webhook</c>).</summary>
    public const string Sip = "sip";

    public static IReadOnlyList<string> All { get; } = [WebSocket, Twilio, Telnyx, Sip];

    public static bool IsKnown(string transport) => All.Contains(transport, StringComparer.Ordinal);
}
