using System.Text;

namespace Switchboard.Server.Api;

/// <summary>
/// <c>GET /docs/api</c>: a self-contained HTML page (no CDN: gateways often run offline) that fetches
/// <c>/openapi/v1.json</c> and renders every operation by tag with its parameters and schemas.
/// </summary>
internal static class ApiReferencePage
{
    public const string Path = "/docs/api";

    private const string ResourceName = "Switchboard.Server.Api.Reference.api-reference.html";

    private static readonly Lazy<byte[]> Page = new(() =>
    {
        using var stream = typeof(ApiReferencePage).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return Encoding.UTF8.GetBytes(reader.ReadToEnd());
    });

    public static void Map(IEndpointRouteBuilder routes)
    {
        // The page describes the API; it is not part of it.
        routes.MapGet(Path, () => Results.Bytes(Page.Value, "text/html; charset=utf-8")).ExcludeFromDescription();
    }
}
