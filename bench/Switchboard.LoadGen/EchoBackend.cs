using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Switchboard.LoadGen;

/// <summary>
/// An instant-echo OpenAI Realtime (GA) backend inside the load generator's process: every
/// <c>input_audio_buffer.append</c> comes straight back as a <c>response.output_audio.delta</c>. Running it
/// here, not the gateway's embedded local backend, puts both ends of the gateway on one clock and adds no
/// backend think time, so the measured latency is what the gateway adds.
/// </summary>
internal sealed class EchoBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _expectedAuthorization;
    private StepContext? _step;
    private int _activeSessions;
    private int _configuredSessions;

    private EchoBackend(WebApplication app, string apiKey)
    {
        _app = app;
        ApiKey = apiKey;
        _expectedAuthorization = "Bearer " + apiKey;
    }

    public string ApiKey { get; }

    public Uri Url { get; private set; } = new("ws://127.0.0.1/");

    public int ActiveSessions => Volatile.Read(ref _activeSessions);

    /// <summary>Sessions that received a <c>session.update</c> since <see cref="BeginStep"/>.</summary>
    public int ConfiguredSessions => Volatile.Read(ref _configuredSessions);

    public int RejectedConnections;

    public StepContext? Step => Volatile.Read(ref _step);

    public static async Task<EchoBackend> StartAsync(bool onEventLoop, CancellationToken token)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        if (onEventLoop)
        {
            // The gateway's transport: the backend's WebSockets leave Kestrel for the loop after the upgrade.
            builder.Services.AddSingleton<Switchboard.Server.Hosting.LoopTransport>();
            builder.Services.AddSingleton<Microsoft.AspNetCore.Connections.IConnectionListenerFactory>(
                services => services.GetRequiredService<Switchboard.Server.Hosting.LoopTransport>());
        }

        var app = builder.Build();
        var backend = new EchoBackend(app, "lg-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));
        if (onEventLoop)
        {
            Switchboard.Server.Hosting.WebSocketClosing.UseWebSocketsClosingGracefully(app, new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
        }
        else
        {
            app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
        }
        app.Map("/v1/realtime", backend.AcceptAsync);
        await app.StartAsync(token);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address).Port;
        backend.Url = new Uri($"ws://127.0.0.1:{port}/v1/realtime");
        return backend;
    }

    public void BeginStep(StepContext step)
    {
        Volatile.Write(ref _configuredSessions, 0);
        Volatile.Write(ref _step, step);
    }

    public void EndStep() => Volatile.Write(ref _step, null);

    public void OnConfigured() => Interlocked.Increment(ref _configuredSessions);

    private async Task AcceptAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        if (!string.Equals(context.Request.Headers.Authorization.ToString(), _expectedAuthorization, StringComparison.Ordinal))
        {
            Interlocked.Increment(ref RejectedConnections);
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        Interlocked.Increment(ref _activeSessions);
        try
        {
            await new EchoSession(this, socket).RunAsync(context.RequestAborted);
        }
        finally
        {
            Interlocked.Decrement(ref _activeSessions);
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }
}
