namespace Switchboard.Calls;

/// <summary>How admission ended.</summary>
internal enum AdmissionStatus
{
    Admitted,

    /// <summary>The endpoint is unknown or does not allow this call (channel, mode, flow).</summary>
    Refused,

    /// <summary>The backend the endpoint asks for is not configured on this gateway.</summary>
    BackendUnavailable,

    /// <summary>The endpoint could not be looked up (a storage failure).</summary>
    LookupFailed,
}
