namespace Switchboard.Common;

/// <summary>One page of a listing and the total number of items across all pages.</summary>
internal sealed record Page<T>(IReadOnlyList<T> Items, long Total);
