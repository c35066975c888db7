namespace Switchboard.Calls;

/// <summary>How a carrier call-control request (hang up, transfer) went.</summary>
internal enum CallControlStatus
{
    /// <summary>The carrier accepted it.</summary>
    Done,

    /// <summary>The carrier says the call is already over (Twilio 404/20404, Telnyx 422/90018).</summary>
    AlreadyEnded,

    /// <summary>The gateway has no credentials (or ids) for this carrier's API; nothing was sent.</summary>
    NotConfigured,

    /// <summary>The carrier answered with an error status.</summary>
    Refused,

    /// <summary>The carrier's API could not be reached or did not answer in time.</summary>
    Unreachable,
}
