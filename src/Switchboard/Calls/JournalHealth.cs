namespace Switchboard.Calls;

/// <summary>State of the call journal for health reporting.</summary>
internal sealed record JournalHealth(bool Ok, string Detail);
