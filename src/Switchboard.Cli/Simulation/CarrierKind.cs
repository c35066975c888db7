namespace Switchboard.Cli.Simulation;

/// <summary>Which carrier's media-streaming protocol the simulator speaks.</summary>
internal enum CarrierKind
{
    /// <summary>Twilio Media Streams (bidirectional <c>&lt;Connect&gt;&lt;Stream&gt;</c>).</summary>
    Twilio,

    /// <summary>Telnyx media streaming (RTP bidirectional mode).</summary>
    Telnyx,
}
