namespace Switchboard.Calls;

/// <summary>
/// What a caller leg knows once it has stopped playback: the heard position at once (<see cref="HeardMs"/>, from a mark
/// ledger or the caller's own report), or later (<see cref="Pending"/>, when a client reports its position).
/// </summary>
internal readonly record struct ClearedPlayout(long HeardMs, Task<long>? Pending = null);
