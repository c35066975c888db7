namespace Switchboard.Telegram;

/// <summary>The call surface as Redis holds it: armed, idle since (for auto-disarm), the bound thread and the lease, if any.</summary>
internal sealed record SharedSurface(bool Armed, DateTimeOffset IdleSince, string? ThreadId, LiveCallLease? Lease);
