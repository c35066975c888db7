namespace Switchboard.Configuration;

/// <summary>Developer diagnostics (section <c>Switchboard:Diagnostics</c>).</summary>
public sealed record DiagnosticsOptions
{
    /// <summary>
    /// Serves <c>GET /diagnostics/calls/by-stream/{streamId}</c> (a call's journal, used by <c>switchboard simulate --budget</c>).
    /// Off by default: the journal holds caller numbers and transcripts, and there is no API key on it yet.
    /// </summary>
    public bool Enabled { get; init; }
}
