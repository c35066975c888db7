using System.Collections.Concurrent;
using Switchboard.Control;
using Switchboard.Storage;

namespace Switchboard.Server.Api;

/// <summary>
/// Authenticates <c>X-API-Key</c> and checks one scope: missing, unknown or revoked key → 401, key without
/// the scope → 403. The key is found by its public prefix and compared by hash in constant time; only the
/// prefix is ever logged.
/// </summary>
internal sealed partial class ApiKeyFilter : IEndpointFilter
{
    /// <summary>The request header that carries the key.</summary>
    public const string HeaderName = "X-API-Key";

    private static readonly ConcurrentDictionary<Guid, long> LastTouched = new();
    private readonly ApiScopes _required;

    public ApiKeyFilter(ApiScopes required) => _required = required;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var result = await AuthenticateAsync(http, _required).ConfigureAwait(false);
        return result.Caller is null ? result.Failure : await next(context).ConfigureAwait(false);
    }

    /// <summary>Authenticates the request; on success the caller is stored on the context.</summary>
    public static async Task<(ApiCaller? Caller, IResult? Failure)> AuthenticateAsync(HttpContext http, ApiScopes required)
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

        var store = http.RequestServices.GetRequiredService<IStore>();
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

        if (!ApiScopeNames.Allows(key.Scopes, required))
        {
            var names = string.Join(", ", ApiScopeNames.ToNames(required));
            LogForbidden(logger, prefix, names);
            return (null, ApiProblems.Forbidden($"this API key lacks the {names} scope"));
        }

        var caller = new ApiCaller(key.TeamId, key.Id, key.Prefix, key.Scopes);
        http.Items[typeof(ApiCaller)] = caller;
        await TouchAsync(store, key.Id, http).ConfigureAwait(false);
        return (caller, null);
    }

    /// <summary>Records last use at most once a minute per key, so listings show it without a write per request.</summary>
    private static async Task TouchAsync(IStore store, Guid keyId, HttpContext http)
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

    [LoggerMessage(EventId = 40, Level = LogLevel.Information, Message = "API request rejected for key {Prefix}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string prefix, string reason);

    [LoggerMessage(EventId = 41, Level = LogLevel.Information, Message = "API key {Prefix} lacks scope {Scope}")]
    private static partial void LogForbidden(ILogger logger, string prefix, string scope);
}
