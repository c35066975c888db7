using System.Globalization;
using System.Threading.RateLimiting;

namespace Switchboard.Server.RateLimiting;

/// <summary>
/// The pure arithmetic of a token bucket kept in Redis (<see cref="RateLimitCounter"/>): its key, the script's arguments,
/// and how long the key lives. A bucket that has refilled completely is the same as no bucket, so the key expires once that
/// long has passed since its last use, and Redis keeps state only for clients that spent tokens recently.
/// </summary>
internal static class TokenBucketMath
{
    /// <summary>Key prefix of the rate-limit buckets; one key per bucket, so no hash tag is needed in a Redis cluster.</summary>
    public const string KeyPrefix = "switchboard:rl:";

    /// <summary>The Redis key of <paramref name="limit"/>'s bucket for <paramref name="partition"/> (an address, a key or team id).</summary>
    public static string RedisKey(string limit, string partition) => KeyPrefix + limit + ":" + partition;

    /// <summary>The refill period in whole milliseconds (at least 1).</summary>
    public static long PeriodMilliseconds(TokenBucketRateLimiterOptions options) => Math.Max(1, (long)Math.Round(options.ReplenishmentPeriod.TotalMilliseconds));

    /// <summary>Milliseconds an empty bucket takes to fill up again: after that long unused, its key may go.</summary>
    public static long FullRefillMilliseconds(TokenBucketRateLimiterOptions options)
    {
        var periods = (long)Math.Ceiling(options.TokenLimit / (double)options.TokensPerPeriod);
        return periods * PeriodMilliseconds(options);
    }

    /// <summary>The key's time to live: a full refill plus a second's slack (for clock steps between the script's calls).</summary>
    public static long KeyTtlMilliseconds(TokenBucketRateLimiterOptions options) => FullRefillMilliseconds(options) + 1000;

    /// <summary>
    /// The tokens a bucket holds after <paramref name="elapsedMs"/> since it held <paramref name="tokens"/>: refilled
    /// continuously at <c>TokensPerPeriod</c> per period, never above <c>TokenLimit</c>. The Lua script computes the same.
    /// </summary>
    public static double Refill(double tokens, long elapsedMs, TokenBucketRateLimiterOptions options) =>
        Math.Min(options.TokenLimit, tokens + (Math.Max(0, elapsedMs) * (double)options.TokensPerPeriod / PeriodMilliseconds(options)));

    /// <summary>Milliseconds until a bucket holding <paramref name="tokens"/> (less than one) has a whole token again, at least 1.</summary>
    public static long WaitMilliseconds(double tokens, TokenBucketRateLimiterOptions options) =>
        Math.Max(1, (long)Math.Ceiling((1 - tokens) * PeriodMilliseconds(options) / options.TokensPerPeriod));

    /// <summary>A number as the script reads it (invariant culture).</summary>
    public static string Arg(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
