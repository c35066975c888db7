using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Switchboard.Testing;

/// <summary>
/// One request a <see cref="LoopbackServer"/> received: method, path (unescaped), path and query (as sent), headers
/// (case-insensitive names, repeated values joined by commas), body as text (empty for a WebSocket upgrade), and the
/// <see cref="Stopwatch"/> timestamp of its arrival.
/// </summary>
public sealed record RecordedRequest(string Method, string Path, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, string Body, long ArrivedAt)
{
    /// <summary>The <c>Authorization</c> header, or null when there was none.</summary>
    public string? Authorization => Headers.GetValueOrDefault("Authorization");

    /// <summary>Records <paramref name="context"/>'s request and rewinds its body so the handler reads it whole.</summary>
    internal static async Task<RecordedRequest> ReadAsync(HttpContext context)
    {
        var arrivedAt = Stopwatch.GetTimestamp();
        var request = context.Request;
        var body = "";
        if (!context.WebSockets.IsWebSocketRequest)
        {
            request.EnableBuffering();
            using var reader = new StreamReader(request.Body, Encoding.UTF8, leaveOpen: true);
            body = await reader.ReadToEndAsync(context.RequestAborted);
            request.Body.Position = 0;
        }

        return new RecordedRequest(
            request.Method,
            request.Path.Value ?? "",
            request.Path + request.QueryString,
            request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            body,
            arrivedAt);
    }
}
