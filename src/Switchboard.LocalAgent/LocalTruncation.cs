namespace Switchboard.LocalAgent;

/// <summary>A <c>conversation.item.truncate</c> the local agent accepted (kept for tests and diagnostics).</summary>
internal sealed record LocalTruncation(string ItemId, int ContentIndex, int AudioEndMs, double AudioMsGenerated);
