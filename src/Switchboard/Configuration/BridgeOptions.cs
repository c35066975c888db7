namespace Switchboard.Configuration;

/// <summary>Bridge tuning (section <c>Switchboard:Bridge</c>).</summary>
public sealed record BridgeOptions
{
    /// <summary>Audio in the first outbound chunk of each agent item before its first mark; bounds ledger error before the first echo.</summary>
    public int FirstChunkMs { get; init; } = 20;

    /// <summary>Largest outbound media chunk and the spacing of playback marks, in ms of audio.</summary>
    public int MarkIntervalMs { get; init; } = 100;

    /// <summary>Largest WebSocket message accepted from a carrier, in bytes (larger closes the call with 1009).</summary>
    public int MaxCarrierMessageBytes { get; init; } = 64 * 1024;

    /// <summary>Largest message accepted from the backend, in bytes.</summary>
    public int MaxBackendMessageBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Seconds to wait for the carrier's <c>start</c> message after the socket opens.</summary>
    public int StartTimeoutSeconds { get; init; } = 10;

    /// <summary>
    /// Longest a carrier stream may go without a complete frame after its <c>start</c>, in seconds (0: never closed for it).
    /// Carriers send media continuously, so a quiet stream is a dead or stalled peer holding a call slot.
    /// </summary>
    public int MediaTimeoutSeconds { get; init; } = 10;

    /// <summary>Longest call in seconds (0 = unlimited).</summary>
    public int MaxCallSeconds { get; init; } = 3600;

    /// <summary>What to do with carrier events this gateway does not know: <c>ignore</c> (logged, forward compatible) or <c>close</c>.</summary>
    public string UnknownCarrierEvents { get; init; } = "ignore";
}
