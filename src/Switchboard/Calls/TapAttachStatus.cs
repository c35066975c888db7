namespace Switchboard.Calls;

/// <summary>What <see cref="CallTap.TryAttach"/> answered.</summary>
internal enum TapAttachStatus
{
    /// <summary>The listener follows the call from now on.</summary>
    Attached,

    /// <summary><see cref="CallTap.MaxListeners"/> listeners already follow the call.</summary>
    Full,

    /// <summary>The call has ended.</summary>
    Ended,
}
