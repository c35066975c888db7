namespace Switchboard.Storage;

/// <summary>A failing storage check (<c>missing</c>, <c>replaced</c>, <c>read-only</c>, <c>disk full</c>, <c>unreachable</c>) and what was seen.</summary>
internal sealed record StoreFault(string Check, string Detail);
