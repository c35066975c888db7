namespace Switchboard.Calls;

/// <summary>How a caller leg began: the call's start facts, or why it never began (the leg has already closed).</summary>
internal readonly record struct CallerLegStart(CallStartInfo? Info, string? EndReason = null, string? Detail = null, int CloseCode = 0)
{
    public static CallerLegStart Failed(string endReason, string? detail, int closeCode) => new(null, endReason, detail, closeCode);
}
