using Microsoft.Extensions.Logging;
using Switchboard.Diagnostics;

namespace Switchboard.Sessions;

/// <summary>Log messages of session ownership across nodes (<see cref="SessionOwnership"/>, docs/cluster.md).</summary>
internal static partial class SessionOwnershipLog
{
    [LoggerMessage(EventId = EventIds.SessionOwnerUnavailable, Level = LogLevel.Warning, Message = "Session {SessionId}: Redis unreachable ({Failure}) while claiming it; superseding applies on this node only until Redis returns")]
    public static partial void Unavailable(ILogger logger, Guid sessionId, string failure);

    [LoggerMessage(EventId = EventIds.SessionOwnerTold, Level = LogLevel.Information, Message = "Session {SessionId}: connection on {Node} told it is superseded by this node")]
    public static partial void Told(ILogger logger, Guid sessionId, string node);

    [LoggerMessage(EventId = EventIds.SessionSupersededRemotely, Level = LogLevel.Information, Message = "Session {SessionId}: superseded by a newer connection on {Node}")]
    public static partial void SupersededRemotely(ILogger logger, Guid sessionId, string node);

    [LoggerMessage(EventId = EventIds.SessionOwnerReconciled, Level = LogLevel.Information, Message = "Session {SessionId}: {Node} holds a newer connection (found after a Redis outage); ending this one")]
    public static partial void Reconciled(ILogger logger, Guid sessionId, string node);

    [LoggerMessage(EventId = EventIds.SessionOwnerRenewalFailed, Level = LogLevel.Warning, Message = "renewing {Count} session owner keys in Redis failed ({Failure}); retried on the next round")]
    public static partial void RenewalFailed(ILogger logger, int count, string failure);
}
