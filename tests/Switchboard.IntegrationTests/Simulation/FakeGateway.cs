using System.Collections.Concurrent;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Switchboard.IntegrationTests.Simulation;

/// <summary>
/// A stand-in gateway for simulator tests: a real Kestrel WebSocket endpoint on 127.0.0.1 with an ephemeral port.
/// Each accepted connection runs the test's script against a <see cref="FakeGatewaySession"/>.
/// </summary>
internal sealed class FakeGateway : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeGateway(WebApplication app, string baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    /// <summary>http://127.0.0.1:port</summary>
    public string BaseUrl { get; }

    /// <summary>Sessions in the order they were accepted.</summary>
    public ConcurrentQueue<FakeGatewaySession> Sessions { get; } = new();

    /// <summary>Starts the gateway. <paramref name="reject"/> may answer an upgrade with an HTTP status instead.</summary>
    public static async Task<FakeGateway> StartAsync(Func<FakeGatewaySession, CancellationToken, Task> script, Func<HttpContext, int?>? reject = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        FakeGateway? gateway = null;
        app.UseWebSockets();
        app.Run(async context =>
        {
            if (reject?.Invoke(context) is { } status)
            {
                context.Response.StatusCode = status;
                return;
            }

            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var session = new FakeGatewaySession(context, socket);
            gateway!.Sessions.Enqueue(session);
            try
            {
                await script(session, context.RequestAborted);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
            {
                session.Error = ex;
            }
            finally
            {
                session.Finished.TrySetResult();
            }
        });

        await app.StartAsync();
        gateway = new FakeGateway(app, app.Urls.First());
        return gateway;
    }

    /// <summary>The WebSocket URL for <paramref name="path"/>.</summary>
    public string WsUrl(string path) => "ws" + BaseUrl["http".Length..] + path;

    /// <summary>The first session, once its script has finished.</summary>
    public async Task<FakeGatewaySession> FinishedSessionAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        FakeGatewaySession? session;
        while (!Sessions.TryPeek(out session))
        {
            Assert.True(DateTime.UtcNow < deadline, "no connection reached the fake gateway");
            await Task.Delay(10);
        }

        await session.Finished.Task.WaitAsync(timeout);
        return session;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
