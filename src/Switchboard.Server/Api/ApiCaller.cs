using Switchboard.Control;

namespace Switchboard.Server.Api;

/// <summary>The authenticated caller of a REST request: which team, which key, what it may do.</summary>
internal sealed record ApiCaller(Guid TeamId, Guid KeyId, string KeyPrefix, ApiScopes Scopes)
{
    /// <summary>The caller set by <see cref="ApiKeyFilter"/>; throws when the route has no filter (a programming error).</summary>
    public static ApiCaller From(HttpContext context) =>
        context.Items[typeof(ApiCaller)] as ApiCaller ?? throw new InvalidOperationException("route is not protected by RequireScope");
}
