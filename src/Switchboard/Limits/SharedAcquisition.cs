namespace Switchboard.Limits;

/// <summary>The answer of <see cref="RedisSlots.TryAcquireAsync"/>: the outcome, the full key, or the held lease.</summary>
internal readonly record struct SharedAcquisition(SharedOutcome Outcome, string? FullKey, IDisposable? Lease, string? Failure = null);
