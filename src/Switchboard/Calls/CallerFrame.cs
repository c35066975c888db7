using Switchboard.Audio;

namespace Switchboard.Calls;

/// <summary>
/// One caller message as the bridge sees it. Spans point into the leg's receive buffer and are valid until the next
/// receive, so audio is handled without allocating.
/// </summary>
internal ref struct CallerFrame
{
    /// <summary>Base64 audio as it appears in the JSON; escaped when <see cref="AudioEscaped"/>.</summary>
    public ReadOnlySpan<byte> Audio;
    public bool AudioEscaped;

    /// <summary>The leg has already checked that <see cref="Audio"/> is clean base64 of whole samples.</summary>
    public bool AudioChecked;

    public AudioFormat AudioFormat;
    public ReadOnlySpan<byte> Digit;

    /// <summary>A typed turn's text; an interrupt's item.</summary>
    public string? Text;
    public string? ItemId;

    /// <summary>An interrupt's played position (-1 when not given).</summary>
    public long PlayedMs;

    /// <summary><see cref="CallerFrameKind.End"/>: the close code and reason the leg is closed with, and the journal's end reason.</summary>
    public int CloseCode;
    public string? CloseReason;
    public string? EndReason;
    public string? Detail;

    /// <summary>Makes this an <see cref="CallerFrameKind.End"/> frame: the leg is closed with <paramref name="code"/> and <paramref name="reason"/>.</summary>
    public CallerFrameKind End(string endReason, int code, string reason, string? detail = null)
    {
        EndReason = endReason;
        CloseCode = code;
        CloseReason = reason;
        Detail = detail ?? reason;
        return CallerFrameKind.End;
    }
}
