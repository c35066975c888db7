using Switchboard.Calls;

namespace Switchboard.Carriers;

/// <summary>Ends or transfers a live carrier call through the carrier's REST API (Twilio Calls resource, Telnyx call control).</summary>
internal interface ICarrierCallControl
{
    /// <summary>Hangs the call up.</summary>
    Task<CallControlResult> HangUpAsync(string callId, string carrier, CallStartInfo start, CancellationToken cancellationToken);

    /// <summary>Transfers the call to <paramref name="to"/> (E.164 or a SIP URI), showing <paramref name="callerId"/> when set.</summary>
    Task<CallControlResult> TransferAsync(string callId, string carrier, CallStartInfo start, string to, string? callerId, CancellationToken cancellationToken);
}
