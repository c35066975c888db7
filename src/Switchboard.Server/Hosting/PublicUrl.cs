using Switchboard.Configuration;

namespace Switchboard.Server.Hosting;

/// <summary>
/// The URL a carrier used to reach us. Behind a proxy the request's own scheme and host are not what the
/// carrier signed, so <see cref="SwitchboardOptions.PublicBaseUrl"/> takes precedence when set.
/// </summary>
internal static class PublicUrl
{
    public static string For(HttpRequest request, SwitchboardOptions options, bool webSocket)
    {
        var pathAndQuery = request.PathBase + request.Path + request.QueryString;
        if (!string.IsNullOrWhiteSpace(options.PublicBaseUrl))
        {
            var baseUri = new Uri(options.PublicBaseUrl.TrimEnd('/'));
            var scheme = webSocket ? (baseUri.Scheme == "https" ? "wss" : "ws") : baseUri.Scheme;
            return $"{scheme}://{baseUri.Authority}{baseUri.AbsolutePath.TrimEnd('/')}{pathAndQuery}";
        }

        var requestScheme = request.IsHttps ? "https" : "http";
        var finalScheme = webSocket ? (request.IsHttps ? "wss" : "ws") : requestScheme;
        return $"{finalScheme}://{request.Host}{pathAndQuery}";
    }

    /// <summary>The WebSocket URL of a gateway path, for TwiML.</summary>
    public static string WebSocketUrl(HttpRequest request, SwitchboardOptions options, string path)
    {
        if (!string.IsNullOrWhiteSpace(options.PublicBaseUrl))
        {
            var baseUri = new Uri(options.PublicBaseUrl.TrimEnd('/'));
            var scheme = baseUri.Scheme == "https" ? "wss" : "ws";
            return $"{scheme}://{baseUri.Authority}{baseUri.AbsolutePath.TrimEnd('/')}{path}";
        }

        return $"{(request.IsHttps ? "wss" : "ws")}://{request.Host}{request.PathBase}{path}";
    }

    /// <summary>The http(s) URL of a gateway path (with any query), for links handed to API clients.</summary>
    public static string HttpUrl(HttpRequest request, SwitchboardOptions options, string pathAndQuery)
    {
        if (!string.IsNullOrWhiteSpace(options.PublicBaseUrl))
        {
            var baseUri = new Uri(options.PublicBaseUrl.TrimEnd('/'));
            return $"{baseUri.Scheme}://{baseUri.Authority}{baseUri.AbsolutePath.TrimEnd('/')}{pathAndQuery}";
        }

        return $"{(request.IsHttps ? "https" : "http")}://{request.Host}{request.PathBase}{pathAndQuery}";
    }
}
