using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Switchboard.IntegrationTests.Tools;

/// <summary>The owning app's side of HTTP tools: a real Kestrel server on loopback that records each request and answers per path.</summary>
internal sealed class ToolTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ToolTestServer(WebApplication app, string baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    /// <summary>Method, path and query, headers and body of every request, in order.</summary>
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public static async Task<ToolTestServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        ToolTestServer? server = null;
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            server!.Requests.Enqueue(new RecordedRequest(context.Request.Method, context.Request.Path + context.Request.QueryString,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body));
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
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server = new ToolTestServer(app, address);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

internal sealed record RecordedRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, string Body);
