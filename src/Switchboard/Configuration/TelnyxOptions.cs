namespace Switchboard.Configuration;

/// <summary>Telnyx settings (section <c>Switchboard:Telnyx</c>; env <c>TELNYX_STREAM_TOKEN</c>).</summary>
public sealed record TelnyxOptions
{
    /// <summary>
    /// Shared token the stream URL must carry as <c>?token=</c> (set it in <c>stream_url</c> when starting the stream).
    /// When empty, the Telnyx endpoint refuses every stream (close 1008), because Telnyx does not sign stream upgrades.
    /// </summary>
    public string? StreamToken { get; init; }
}
