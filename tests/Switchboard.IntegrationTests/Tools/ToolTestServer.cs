using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Switchboard.Testing;

namespace Switchboard.IntegrationTests.Tools;

/// <summary>The owning app's side of HTTP tools: a <see cref="LoopbackServer"/> that records each request and answers per path.</summary>
internal sealed class ToolTestServer : IAsyncDisposable
{
    private readonly LoopbackServer _server;

    private ToolTestServer(LoopbackServer server) => _server = server;

    public string BaseUrl => _server.BaseUrl;

    /// <summary>Method, path and query, headers and body of every request, in order.</summary>
    public IReadOnlyCollection<RecordedRequest> Requests => _server.Requests;

    public static async Task<ToolTestServer> StartAsync() => new(await LoopbackServer.StartAsync(app => app.Run(AnswerAsync)));

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private static async Task AnswerAsync(HttpContext context)
    {
        switch (context.Request.Path.Value)
        {
            case "/orders/lookup":
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("""{"order_id":"A-1042","status":"ships tomorrow"}""");
                break;
            case "/text":
                await context.Response.WriteAsync("plain answer");
                break;
            case "/big":
                await context.Response.WriteAsync(new string('x', 5000));
                break;
            case "/fail":
                context.Response.StatusCode = 500;
                await context.Response.WriteAsync("database is down");
                break;
            case "/redirect":
                context.Response.Redirect("http://127.0.0.1:1/elsewhere");
                break;
            case "/slow":
                await Task.Delay(TimeSpan.FromSeconds(5), context.RequestAborted);
                await context.Response.WriteAsync("{}");
                break;
            default:
                context.Response.StatusCode = 404;
                break;
        }
    }
}
