namespace Switchboard.Server.Api;

/// <summary>
/// What a carrier stream must carry to run on an endpoint when the carrier does not sign the stream's upgrade (Telnyx,
/// Twilio without an auth token, hand-written TwiML): the endpoint id and its gateway-issued token.
/// </summary>
/// <param name="EndpointId">The endpoint's id.</param>
/// <param name="EndpointToken">The token that binds the id to this gateway (the <c>endpointToken</c> parameter).</param>
/// <param name="TwimlParameters">The two <c>&lt;Parameter&gt;</c> elements to put inside <c>&lt;Stream&gt;</c>.</param>
/// <param name="TelnyxClientState">A Telnyx <c>client_state</c> (base64 JSON) carrying both.</param>
/// <param name="TwimlWebhookUrl">The gateway's TwiML webhook for this endpoint, to set as the number's "A call comes in" URL.</param>
internal sealed record StreamParametersResponse(Guid EndpointId, string EndpointToken, string TwimlParameters, string TelnyxClientState, string TwimlWebhookUrl);
