using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Calls;

namespace Switchboard.SipConnector;

/// <summary>
/// The SIP connector's REST calls on one call (<c>POST {base}/realtime/calls/{call_id}/…</c>) and its sideband. Each
/// answers 200 with an empty body when it worked; a 404 means the call is already gone.
/// </summary>
internal interface ISipCallControl
{
    /// <summary>The model an accept names when the endpoint names none (OpenAI's model, Azure's deployment).</summary>
    string DefaultModel { get; }

    /// <summary>Answers the call with <paramref name="session"/> (a GA session object; no audio formats on SIP).</summary>
    Task<CallControlResult> AcceptAsync(string callId, RealtimeSessionSettings session, CancellationToken cancellationToken);

    /// <summary>Declines the call with a SIP final status (486 busy, 603 declined, 503 unavailable).</summary>
    Task<CallControlResult> RejectAsync(string callId, int sipStatus, CancellationToken cancellationToken);

    /// <summary>Sends a SIP REFER to <paramref name="targetUri"/> (<c>tel:+1…</c> or <c>sip:…</c>); no outcome is reported beyond the 200.</summary>
    Task<CallControlResult> ReferAsync(string callId, string targetUri, CancellationToken cancellationToken);

    /// <summary>Hangs the call up.</summary>
    Task<CallControlResult> HangUpAsync(string callId, CancellationToken cancellationToken);

    /// <summary>The call's sideband WebSocket, running <paramref name="model"/>.</summary>
    RealtimeEndpoint Sideband(string callId, string model);
}
