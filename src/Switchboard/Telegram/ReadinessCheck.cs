namespace Switchboard.Telegram;

/// <summary>One line of the readiness list: a stable name, whether it passes, and why (what to fix when it does not).</summary>
internal sealed record ReadinessCheck(string Name, bool Ok, string Detail);
