namespace Switchboard.Calls;

/// <summary>
/// What a caller leg knows once it has stopped playback: the heard position at once (<see cref="HeardMs"/>, from a mark
/// ledger or the caller's own report), or later (<see cref="Pending"/>, when a client reports its position).
/// <see cref="Source"/> says where the position came from (<c>marks</c>, <c>client</c>, <c>estimate</c>).
/// </summary>
internal readonly record struct ClearedPlayout(long HeardMs, string Source, Task<ClearedPlayout>? Pending = null);
