namespace Switchboard.Transport;

/// <summary>Outcome of reading one WebSocket message.</summary>
internal enum ReceiveStatus
{
    /// <summary>A complete text message is in the buffer.</summary>
    Text,

    /// <summary>A complete binary message is in the buffer.</summary>
    Binary,

    /// <summary>The peer sent a close frame (or the socket is no longer open).</summary>
    Closed,

    /// <summary>The message exceeded the size limit; the rest was not read.</summary>
    TooLarge,
}
