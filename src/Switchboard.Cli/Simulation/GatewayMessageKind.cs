namespace Switchboard.Cli.Simulation;

/// <summary>What a message from the gateway asks the carrier to do.</summary>
internal enum GatewayMessageKind
{
    /// <summary>Audio to play to the caller.</summary>
    Media,

    /// <summary>A playback marker to echo once the audio sent before it has played.</summary>
    Mark,

    /// <summary>Empty the playback buffer and echo every pending mark.</summary>
    Clear,

    /// <summary>Well-formed JSON with an event the carrier does not accept.</summary>
    Unknown,

    /// <summary>Something the carrier would reject: not JSON, not text, missing or wrong fields.</summary>
    Invalid,
}
