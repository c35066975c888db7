namespace Switchboard.Telegram;

/// <summary>
/// The bridge's one live call: taken at bootstrap (<see cref="IsLive"/> false, held until <see cref="PreparedUntil"/> for the
/// page to connect), made live when its socket runs the call, released when the call ends however it ends.
/// </summary>
internal sealed record LiveCallLease(Guid SessionId, long UserId, long ChatId, string? ThreadId, DateTimeOffset TakenAt, DateTimeOffset PreparedUntil)
{
    /// <summary>The engine's call id once the socket runs it.</summary>
    public string? CallId { get; init; }

    /// <summary>With Redis: the node that took the lease or runs its call (it renews a live lease); null in process.</summary>
    public string? Node { get; init; }

    public bool IsLive => CallId is not null;
}
