using System.Collections.Concurrent;
using Switchboard.Control;
using Switchboard.Diagnostics;

namespace Switchboard.Server.Api;

/// <summary>
/// Authenticates <c>X-API-Key</c> and checks scopes: missing, malformed, unknown or revoked key → 401, key
/// holding none of the accepted scopes → 403. The key is found by its public prefix and compared by hash in
/// constant time; only the prefix is ever logged. Nothing is cached: every request reads the key row, so a
/// revoked key stops working at once.
/// </summary>
internal sealed partial class ApiKeyFilter : IEndpointFilter
{
    /// <summary>The request header that carries the key.</summary>
    public const string HeaderName = "X-API-Key";

    private static readonly ConcurrentDictionary<Guid, long> LastTouched = new();
    private readonly ApiScopes[] _anyOf;

    /// <summary>A filter that accepts a key holding any one of <paramref name="anyOf"/> (each entry's flags all together).</summary>
    public ApiKeyFilter(params ApiScopes[] anyOf) => _anyOf = anyOf.Length == 0 ? [ApiScopes.None] : anyOf;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var result = await AuthenticateAsync(http, _anyOf).ConfigureAwait(false);
        return result.Caller is null ? result.Failure : await next(context).ConfigureAwait(false);
    }

    /// <summary>Authenticates the request for one scope; on success the caller is stored on the context.</summary>
    public static Task<(ApiCaller? Caller, IResult? Failure)> AuthenticateAsync(HttpContext http, ApiScopes required) =>
        AuthenticateAsync(http, [required]);

    /// <summary>Authenticates the request for any one of several scopes; on success the caller is stored on the context.</summary>
    public static async Task<(ApiCaller? Caller, IResult? Failure)> AuthenticateAsync(HttpContext http, IReadOnlyList<ApiScopes> anyOf)
    {
        var logger = http.RequestServices.GetRequiredService<ILogger<ApiKeyFilter>>();
        var presented = http.Request.Headers[HeaderName].ToString();
        if (string.IsNullOrEmpty(presented))
        {
            return (null, ApiProblems.Unauthorized($"missing {HeaderName} header"));
        }

        if (!ApiKeyFormat.TryGetPrefix(presented, out var prefix))
        {
            LogRejected(logger, "(malformed)", "malformed key");
            return (null, ApiProblems.Unauthorized("invalid API key"));
        }

        var store = http.RequestServices.GetRequiredService<IApiKeyStore>();
        var key = await store.FindKeyByPrefixAsync(prefix, http.RequestAborted).ConfigureAwait(false);
        if (key is null || !ApiKeyFormat.Matches(presented, key.Hash))
        {
            LogRejected(logger, prefix, "unknown key");
            return (null, ApiProblems.Unauthorized("invalid API key"));
        }

        if (key.IsRevoked)
        {
            LogRejected(logger, prefix, "revoked key");
            return (null, ApiProblems.Unauthorized("API key revoked"));
        }

        if (!anyOf.Any(required => ApiScopeNames.Allows(key.Scopes, required)))
        {
            var names = Describe(anyOf);
            LogForbidden(logger, prefix, names);
            return (null, ApiProblems.Forbidden($"this API key lacks the {names} scope"));
        }

        var caller = new ApiCaller(key.TeamId, key.Id, key.Prefix, key.Scopes);
        http.Items[typeof(ApiCaller)] = caller;
        await TouchAsync(store, key.Id, http).ConfigureAwait(false);
        return (caller, null);
    }

    /// <summary>"READ_CALLS", or "READ_TEAM_APPS or MANAGE_ENDPOINTS" for alternatives.</summary>
    internal static string Describe(IReadOnlyList<ApiScopes> anyOf) =>
        string.Join(" or ", anyOf.Select(s => string.Join(" and ", ApiScopeNames.ToNames(s))));

    /// <summary>Records last use at most once a minute per key, so listings show it without a write per request.</summary>
    private static async Task TouchAsync(IApiKeyStore store, Guid keyId, HttpContext http)
    {
        var time = http.RequestServices.GetRequiredService<TimeProvider>();
        var now = time.GetUtcNow();
        var minute = now.ToUnixTimeSeconds() / 60;
        if (LastTouched.TryGetValue(keyId, out var last) && last == minute)
        {
            return;
        }

        LastTouched[keyId] = minute;
        await store.TouchKeyAsync(keyId, now, http.RequestAborted).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = EventIds.ApiRequestRejected, Level = LogLevel.Information, Message = "API request rejected for key {Prefix}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string prefix, string reason);

    [LoggerMessage(EventId = EventIds.ApiScopeMissing, Level = LogLevel.Information, Message = "API key {Prefix} lacks scope {Scope}")]
    private static partial void LogForbidden(ILogger logger, string prefix, string scope);
}
