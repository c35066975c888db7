using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Switchboard.Testing;

/// <summary>
/// A real Kestrel server on 127.0.0.1 with an ephemeral port, for the local fakes that stand in for services the tests
/// cannot reach (OpenAI, carrier REST APIs, webhook receivers, a gateway for the simulator). WebSockets are on; the
/// test maps its routes in <c>map</c>. Every request is recorded in <see cref="Requests"/> before it is handled (its
/// body stays readable). Nothing is logged.
/// </summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedRequest> _requests;

    private LoopbackServer(WebApplication app, ConcurrentQueue<RecordedRequest> requests, string baseUrl)
    {
        _app = app;
        _requests = requests;
        BaseUrl = baseUrl;
    }

    /// <summary><c>http://127.0.0.1:port</c>, without a trailing slash.</summary>
    public string BaseUrl { get; }

    /// <summary>Every request received so far, in order of arrival.</summary>
    public IReadOnlyCollection<RecordedRequest> Requests => _requests;

    /// <summary>
    /// Starts a server whose routes <paramref name="map"/> adds (<c>app.Run</c>, <c>app.Map…</c>, middleware), with the
    /// services <paramref name="services"/> adds, and returns once it listens.
    /// </summary>
    public static async Task<LoopbackServer> StartAsync(Action<WebApplication> map, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        services?.Invoke(builder.Services);
        var app = builder.Build();
        var requests = new ConcurrentQueue<RecordedRequest>();
        app.UseWebSockets();
        app.Use(async (context, next) =>
        {
            requests.Enqueue(await RecordedRequest.ReadAsync(context));
            await next(context);
        });
        map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LoopbackServer(app, requests, address);
    }

    /// <summary>The HTTP URL of <paramref name="pathAndQuery"/> (which starts with a slash).</summary>
    public string Url(string pathAndQuery) => BaseUrl + pathAndQuery;

    /// <summary>The WebSocket URL of <paramref name="pathAndQuery"/> (which starts with a slash).</summary>
    public string WsUrl(string pathAndQuery) => "ws" + BaseUrl["http".Length..] + pathAndQuery;

    /// <summary>Stops listening, waits for the requests in flight, and releases the server.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
