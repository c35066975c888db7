namespace Switchboard.Configuration;

/// <summary>Twilio settings (section <c>Switchboard:Twilio</c>; env <c>TWILIO_AUTH_TOKEN</c>, <c>TWILIO_ACCOUNT_SID</c>).</summary>
public sealed record TwilioOptions
{
    /// <summary>
    /// Auth token used to verify <c>X-Twilio-Signature</c> on the TwiML webhook and the WebSocket upgrade.
    /// When empty, signatures are not checked (development only; a warning is logged at start-up).
    /// </summary>
    public string? AuthToken { get; init; }

    /// <summary>
    /// Account SID (<c>AC…</c>) for the REST API that ends and transfers calls (the built-in <c>end_call</c> and
    /// <c>transfer_call</c> tools), with <see cref="AuthToken"/> as Basic credentials. When empty, the account SID the
    /// stream's <c>start</c> message carries is used.
    /// </summary>
    public string? AccountSid { get; init; }

    /// <summary>Base URL of the Twilio REST API (tests point it at a local fake).</summary>
    public string ApiBaseUrl { get; init; } = "https://api.twilio.com";

    /// <summary>
    /// How the TwiML webhook answers a call the limits refuse (busy, a budget used up, the node draining): <c>say</c> speaks
    /// <see cref="BusyMessage"/> then hangs up (the caller hears why); <c>reject</c> answers <c>&lt;Reject reason="busy"/&gt;</c>
    /// (a busy tone, the call is never answered and not billed by Twilio).
    /// </summary>
    public string RefuseWith { get; init; } = "say";

    /// <summary>What a refused caller hears with <see cref="RefuseWith"/> <c>say</c>.</summary>
    public string BusyMessage { get; init; } = "Sorry, we cannot take your call right now. Please try again later.";
}
