namespace Switchboard.Limits;

/// <summary>
/// The answer of <see cref="ConcurrencySlots.AcquireAsync"/>: the held lease, or the full key, or (Redis unreachable under the
/// <c>refuse</c> policy) why the shared count could not be taken.
/// </summary>
internal readonly record struct SlotAcquisition(SlotLease? Lease, string? FullKey, string? SharedUnavailable);
