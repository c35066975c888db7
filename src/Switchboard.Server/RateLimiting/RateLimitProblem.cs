using System.Globalization;

namespace Switchboard.Server.RateLimiting;

/// <summary>
/// The answer to a request over a rate limit: 429, <c>Retry-After</c> in whole seconds, and an
/// <c>application/problem+json</c> body saying which limit (<c>rateLimit</c>: ip, key, team or sessions) was hit. It names
/// neither the key nor the address. WebSocket upgrades get the same answer, before the upgrade.
/// </summary>
internal sealed class RateLimitProblem : IResult
{
    /// <summary>The problem's <c>type</c>: RFC 6585 defines 429 (the framework has no default link for it).</summary>
    public const string Type = "https://tools.ietf.org/html/rfc6585#section-4";

    public RateLimitProblem(RateLimitBucket bucket, int retryAfterSeconds)
    {
        Bucket = bucket;
        RetryAfterSeconds = retryAfterSeconds;
    }

    public RateLimitBucket Bucket { get; }

    /// <summary>Whole seconds until the bucket has a token again, at least 1.</summary>
    public int RetryAfterSeconds { get; }

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var seconds = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        httpContext.Response.Headers.RetryAfter = seconds;
        var extensions = new Dictionary<string, object?>(StringComparer.Ordinal) { ["rateLimit"] = Bucket.Scope, ["retryAfterSeconds"] = RetryAfterSeconds };
        return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too Many Requests", type: Type,
            detail: $"{Bucket.Detail}; retry after {seconds} s.", extensions: extensions).ExecuteAsync(httpContext);
    }
}
