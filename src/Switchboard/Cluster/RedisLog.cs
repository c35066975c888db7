using Microsoft.Extensions.Logging;
using Switchboard.Diagnostics;

namespace Switchboard.Cluster;

/// <summary>Log messages of the Redis connection and the shared slots (endpoints only: the configuration string may hold a password).</summary>
internal static partial class RedisLog
{
    [LoggerMessage(EventId = EventIds.RedisConnected, Level = LogLevel.Information, Message = "Redis shared state on {Endpoints} (connected: {Connected})")]
    public static partial void Connected(ILogger logger, string endpoints, bool connected);

    [LoggerMessage(EventId = EventIds.RedisConnectionFailed, Level = LogLevel.Warning, Message = "Redis connection to {Endpoint} failed ({Failure}); the outage policy applies to new calls")]
    public static partial void ConnectionFailed(ILogger logger, string endpoint, string failure);

    [LoggerMessage(EventId = EventIds.RedisConnectionRestored, Level = LogLevel.Information, Message = "Redis connection to {Endpoint} restored")]
    public static partial void ConnectionRestored(ILogger logger, string endpoint);

    [LoggerMessage(EventId = EventIds.RedisSlotsUnavailable, Level = LogLevel.Warning, Message = "Redis unreachable ({Failure}) at admission; outage policy '{Policy}'")]
    public static partial void SlotsUnavailable(ILogger logger, string failure, string policy);

    [LoggerMessage(EventId = EventIds.RedisSlotRenewalFailed, Level = LogLevel.Warning, Message = "renewing {Count} concurrency slot leases in Redis failed ({Failure}); they are re-asserted on the next round")]
    public static partial void RenewalFailed(ILogger logger, int count, string failure);
}
