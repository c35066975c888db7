using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Switchboard.Testing;

namespace Switchboard.IntegrationTests.Transport;

/// <summary>
/// A Kestrel WebSocket endpoint for client tests (a <see cref="LoopbackServer"/>): requires <c>Authorization: Bearer good</c>
/// (401 otherwise), echoes text messages as <c>echo:&lt;text&gt;</c>, closes with 4001 when sent <c>close</c>, and records
/// what the client sent in its handshake and its close frame.
/// </summary>
internal sealed class KestrelEchoServer : IAsyncDisposable
{
    private readonly TaskCompletionSource<(WebSocketCloseStatus? Status, string? Description)> _clientClose =
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    private LoopbackServer _server = null!;

    public Uri Url => new(_server.WsUrl("/echo?x=1"));

    /// <summary>The handshake requests, in order.</summary>
    public IReadOnlyCollection<RecordedRequest> Requests => _server.Requests;

    /// <summary>The status and description of the client's close frame.</summary>
    public Task<(WebSocketCloseStatus? Status, string? Description)> ClientClose => _clientClose.Task;

    public static async Task<KestrelEchoServer> StartAsync()
    {
        var self = new KestrelEchoServer();
        self._server = await LoopbackServer.StartAsync(app => app.Map("/echo", self.HandleAsync));
        return self;
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
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
