using Switchboard.Calls;

namespace Switchboard.Carriers;

/// <summary>
/// One parsed carrier frame. Spans point into the received message and are valid until the next read,
/// so a media frame is handled without allocating.
/// </summary>
internal ref struct CarrierFrame
{
    public CarrierFrameKind Kind;

    /// <summary>The raw event name (for logging unknown events).</summary>
    public ReadOnlySpan<byte> EventName;

    /// <summary>Base64 audio as it appears in the JSON; escaped when <see cref="PayloadEscaped"/>.</summary>
    public ReadOnlySpan<byte> Payload;

    public bool PayloadEscaped;

    /// <summary>True for audio from the caller (inbound track or no track given).</summary>
    public bool IsInboundTrack;

    /// <summary>Media timestamp in ms since the stream started, or -1.</summary>
    public long TimestampMs;

    public ReadOnlySpan<byte> MarkName;

    public ReadOnlySpan<byte> Digit;

    /// <summary>Set for <see cref="CarrierFrameKind.Start"/> (allocated once per call).</summary>
    public CallStartInfo? Start;

    /// <summary>A description of what was wrong, or the carrier's error text.</summary>
    public string? Detail;
}
