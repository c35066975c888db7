namespace Switchboard.Journal;

/// <summary>State of the call journal for health reporting.</summary>
internal sealed record JournalHealth(bool Ok, string Detail);
