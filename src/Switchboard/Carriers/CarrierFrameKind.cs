namespace Switchboard.Carriers;

/// <summary>The small set of frames every carrier's media stream reduces to.</summary>
internal enum CarrierFrameKind
{
    Unknown,
    Connected,
    Start,
    Media,
    Dtmf,
    Mark,
    Stop,

    /// <summary>The carrier reports an error on the stream (Telnyx <c>error</c>).</summary>
    Error,
}
