using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Switchboard.IntegrationTests.Tools;

/// <summary>
/// A local stand-in for the Twilio REST API and Telnyx call control: a real Kestrel server that records every request
/// (with the wall-clock moment it arrived) and answers with <see cref="Status"/> and <see cref="Body"/>.
/// </summary>
internal sealed class CarrierApiFake : IAsyncDisposable
{
    private readonly WebApplication _app;

    private CarrierApiFake(WebApplication app, string baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    public int Status { get; set; } = 200;

    public string Body { get; set; } = "{}";

    public ConcurrentQueue<CarrierApiRequest> Requests { get; } = new();

    public static async Task<CarrierApiFake> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        CarrierApiFake? self = null;
        app.Run(async context =>
        {
            var at = Stopwatch.GetTimestamp();
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            self!.Requests.Enqueue(new CarrierApiRequest(context.Request.Method, context.Request.Path.Value ?? "",
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body, at));
            context.Response.StatusCode = self.Status;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(self.Body);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self = new CarrierApiFake(app, address);
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>One request to the fake: method, path, headers, body, and <see cref="Stopwatch"/> timestamp of its arrival.</summary>
internal sealed record CarrierApiRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body, long ArrivedAt);
