using Switchboard.Carriers.Telnyx;
using Switchboard.Carriers.Twilio;

namespace Switchboard.Agents;

/// <summary>The ways a caller reaches an endpoint (its allowed <c>carriers</c>).</summary>
internal static class Transports
{
    /// <summary>The session WebSocket (<c>/ws/session</c>), used by browsers and SDKs.</summary>
    public const string WebSocket = "websocket";

    public const string Twilio = TwilioProtocol.CarrierName;

    public const string Telnyx = TelnyxProtocol.CarrierName;

    public static IReadOnlyList<string> All { get; } = [WebSocket, Twilio, Telnyx];

    public static bool IsKnown(string transport) => All.Contains(transport, StringComparer.Ordinal);
}
