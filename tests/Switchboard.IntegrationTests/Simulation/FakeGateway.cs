using System.Collections.Concurrent;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Switchboard.Testing;

namespace Switchboard.IntegrationTests.Simulation;

/// <summary>
/// A stand-in gateway for simulator tests: a WebSocket endpoint on a <see cref="LoopbackServer"/>.
/// Each accepted connection runs the test's script against a <see cref="FakeGatewaySession"/>.
/// </summary>
internal sealed class FakeGateway : IAsyncDisposable
{
    private readonly Func<FakeGatewaySession, CancellationToken, Task> _script;
    private readonly Func<HttpContext, int?>? _reject;
    private LoopbackServer _server = null!;

    private FakeGateway(Func<FakeGatewaySession, CancellationToken, Task> script, Func<HttpContext, int?>? reject)
    {
        _script = script;
        _reject = reject;
    }

    /// <summary>http://127.0.0.1:port</summary>
    public string BaseUrl => _server.BaseUrl;

    /// <summary>Sessions in the order they were accepted.</summary>
    public ConcurrentQueue<FakeGatewaySession> Sessions { get; } = new();

    /// <summary>Starts the gateway. <paramref name="reject"/> may answer an upgrade with an HTTP status instead.</summary>
    public static async Task<FakeGateway> StartAsync(Func<FakeGatewaySession, CancellationToken, Task> script, Func<HttpContext, int?>? reject = null)
    {
        var gateway = new FakeGateway(script, reject);
        gateway._server = await LoopbackServer.StartAsync(app => app.Run(gateway.AcceptAsync));
        return gateway;
    }

    /// <summary>The WebSocket URL for <paramref name="path"/>.</summary>
    public string WsUrl(string path) => _server.WsUrl(path);

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
    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task AcceptAsync(HttpContext context)
    {
        if (_reject?.Invoke(context) is { } status)
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
        Sessions.Enqueue(session);
        try
        {
            await _script(session, context.RequestAborted);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            session.Error = ex;
        }
        finally
        {
            session.Finished.TrySetResult();
        }
    }
}
