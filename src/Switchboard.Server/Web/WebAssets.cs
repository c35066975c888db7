using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace Switchboard.Server.Web;

/// <summary>
/// Serves the talk page (<c>/</c>), its script and styles (<c>/app/…</c>) and the JavaScript client (<c>/sdk/…</c>)
/// from resources embedded in this assembly, so every way of hosting the gateway (the CLI, tests, a single-file
/// publish) serves the same files with no web root on disk. Each answer carries a strong ETag and
/// <c>Cache-Control: no-cache</c>: browsers revalidate (a 304 costs nothing) and never run a stale client.
/// </summary>
internal static class WebAssets
{
    private const string ResourcePrefix = "web/";

    private static readonly Lazy<FrozenDictionary<string, Asset>> Assets = new(Load);

    /// <summary>Names of the embedded files, relative to <c>Web/Assets</c> (for tests and the start-up report).</summary>
    public static IEnumerable<string> Names => Assets.Value.Keys;

    public static void Map(IEndpointRouteBuilder routes)
    {
        // Pages and scripts for people, not part of the REST API. The path is optional so that /sdk/ and /app/ are a
        // 404 "no such file" like any other missing file, not a 400 for a missing route value.
        routes.MapGet("/", (HttpContext context) => Serve(context, "index.html")).ExcludeFromDescription();
        routes.MapGet("/app/{**path}", (HttpContext context, string? path) => Serve(context, "app/" + path)).ExcludeFromDescription();
        routes.MapGet("/sdk/{**path}", (HttpContext context, string? path) => Serve(context, "sdk/" + path)).ExcludeFromDescription();
        // The live operations page (docs/observability.md): its own login with an API key; it reads /api/v1/ops/*.
        routes.MapGet("/ops", (HttpContext context) => Serve(context, "ops/index.html")).ExcludeFromDescription();
        routes.MapGet("/ops/{**path}", (HttpContext context, string? path) => Serve(context, "ops/" + path)).ExcludeFromDescription();
    }

    internal static IResult Serve(HttpContext context, string name)
    {
        if (!Assets.Value.TryGetValue(name, out var asset))
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found", detail: $"no such file: /{name}");
        }

        var headers = context.Response.GetTypedHeaders();
        headers.ETag = asset.ETag;
        headers.CacheControl = new CacheControlHeaderValue { NoCache = true };
        // The SDK may be loaded by an app on another origin (a <script> or module import from this gateway).
        if (name.StartsWith("sdk/", StringComparison.Ordinal))
        {
            context.Response.Headers.AccessControlAllowOrigin = "*";
        }

        var ifNoneMatch = context.Request.GetTypedHeaders().IfNoneMatch;
        if (ifNoneMatch.Any(tag => tag.Compare(asset.ETag, useStrongComparison: true)))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return Results.Bytes(asset.Content, asset.ContentType);
    }

    private static FrozenDictionary<string, Asset> Load()
    {
        var assembly = typeof(WebAssets).Assembly;
        var result = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            var content = memory.ToArray();
            // MSBuild's %(RecursiveDir) uses the build machine's separator.
            var name = resource[ResourcePrefix.Length..].Replace('\\', '/');
            var etag = new EntityTagHeaderValue("\"" + Convert.ToHexStringLower(SHA256.HashData(content))[..32] + "\"");
            result[name] = new Asset(content, ContentTypeOf(name), etag);
        }

        return result.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string ContentTypeOf(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" or ".mjs" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".json" => "application/json",
        ".ico" => "image/x-icon",
        _ => "application/octet-stream",
    };

    private sealed record Asset(byte[] Content, string ContentType, EntityTagHeaderValue ETag);
}
