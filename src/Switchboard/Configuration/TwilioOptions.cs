namespace Switchboard.Configuration;

/// <summary>Twilio settings (section <c>Switchboard:Twilio</c>; env <c>TWILIO_AUTH_TOKEN</c>).</summary>
public sealed record TwilioOptions
{
    /// <summary>
    /// Auth token used to verify <c>X-Twilio-Signature</c> on the TwiML webhook and the WebSocket upgrade.
    /// When empty, signatures are not checked (development only; a warning is logged at start-up).
    /// </summary>
    public string? AuthToken { get; init; }
}
