namespace Switchboard.Limits;

/// <summary>How taking a call's shared slots in Redis went.</summary>
internal enum SharedOutcome
{
    /// <summary>Every shared slot was taken.</summary>
    Acquired,

    /// <summary>A shared cap is full: nothing was taken.</summary>
    Full,

    /// <summary>Redis could not be reached: nothing was taken and the outage policy decides.</summary>
    Unavailable,
}
