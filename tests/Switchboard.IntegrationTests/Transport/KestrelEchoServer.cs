using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Switchboard.IntegrationTests.Transport;

/// <summary>
/// A Kestrel WebSocket endpoint for client tests: requires <c>Authorization: Bearer good</c> (401 otherwise),
/// echoes text messages as <c>echo:&lt;text&gt;</c>, closes with 4001 when sent <c>close</c>, and records what
/// the client sent in its handshake and its close frame.
/// </summary>
internal sealed class KestrelEchoServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TaskCompletionSource<(WebSocketCloseStatus? Status, string? Description)> _clientClose =
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    private KestrelEchoServer(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    public ConcurrentQueue<IHeaderDictionary> Requests { get; } = new();

    /// <summary>The status and description of the client's close frame.</summary>
    public Task<(WebSocketCloseStatus? Status, string? Description)> ClientClose => _clientClose.Task;

    public static async Task<KestrelEchoServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var self = new KestrelEchoServer(app);
        app.UseWebSockets();
        app.Map("/echo", self.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self.Url = new Uri("ws" + address["http".Length..] + "/echo?x=1");
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        Requests.Enqueue(context.Request.Headers);
        if (context.Request.Headers.Authorization != "Bearer good")
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, context.RequestAborted);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                _clientClose.TrySetResult((result.CloseStatus, result.CloseStatusDescription));
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", context.RequestAborted);
                return;
            }

            var text = Encoding.UTF8.GetString(buffer, 0, result.Count);
            if (text == "close")
            {
                await socket.CloseAsync((WebSocketCloseStatus)4001, "closed by server", context.RequestAborted);
                return;
            }

            await socket.SendAsync(Encoding.UTF8.GetBytes("echo:" + text), WebSocketMessageType.Text, true, context.RequestAborted);
        }
    }
}
