namespace Switchboard.Calls;

/// <summary>What an operator's hang-up of a live call came to (<see cref="CallRegistry.HangUp"/>).</summary>
internal enum HangupStatus
{
    /// <summary>The goodbye has begun; the call ends <c>operator_hangup</c>.</summary>
    Accepted,

    /// <summary>No such call of the team is live on this node.</summary>
    NotFound,

    /// <summary>The call was already ending.</summary>
    AlreadyEnding,

    /// <summary>The call's host offers no goodbye (it cannot be hung up from the API).</summary>
    NotSupported,
}
