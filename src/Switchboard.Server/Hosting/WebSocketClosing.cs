using System.Net.WebSockets;
using Microsoft.AspNetCore.Http.Features;

namespace Switchboard.Server.Hosting;

/// <summary>
/// RFC 6455 closing for every WebSocket the gateway accepts (carrier streams and session sockets), in one place. When a
/// connection ends without a completed closing handshake (the WebSocket refused a frame and sent 1002 or 1007, a message
/// was too large, a stalled stream was given up on), the peer's last bytes — often its answering close frame — are still
/// unread, and closing a TCP socket with unread data sends a reset, which can destroy the close frame in flight. So the
/// upgraded stream is not closed when the WebSocket lets go of it: after the handler returns, what the peer still sends is
/// read and discarded until it closes, falls silent for <see cref="IdleWindow"/>, or <see cref="MaxLinger"/> has passed;
/// then the connection ends with a FIN. A completed handshake closes at once, as before.
/// </summary>
internal static class WebSocketClosing
{
    /// <summary>How long the peer may stay silent before the connection is closed.</summary>
    public static readonly TimeSpan IdleWindow = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest a connection lingers after its handler, whatever the peer does.</summary>
    public static readonly TimeSpan MaxLinger = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Adds the two halves around <c>UseWebSockets</c>: the upgrade is wrapped before (the WebSocket middleware keeps the
    /// upgrade feature it sees), and the accepted socket is noted after (to know whether its handshake completed).
    /// </summary>
    public static IApplicationBuilder UseWebSocketsClosingGracefully(this IApplicationBuilder app, WebSocketOptions options)
    {
        app.Use(LingerAsync);
        app.UseWebSockets(options);
        app.Use(NoteSocket);
        return app;
    }

    private static async Task LingerAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Features.Get<IHttpUpgradeFeature>() is not { IsUpgradableRequest: true } upgrade)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var lingering = new LingeringUpgrade(upgrade, context);
        context.Features.Set<IHttpUpgradeFeature>(lingering);
        // The runtime's server WebSocket aborts the whole HTTP connection (a reset) when it is aborted or disposed unclosed;
        // once upgraded, that abort waits for the linger below (and happens anyway if the handler is stuck).
        DeferredAbort? deferred = null;
        var lifetime = context.Features.Get<IHttpRequestLifetimeFeature>();
        if (lifetime is not null)
        {
            deferred = new DeferredAbort(lifetime, lingering);
            context.Features.Set<IHttpRequestLifetimeFeature>(deferred);
        }

        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            if (lingering.Stream is { } stream)
            {
                await stream.CloseAsync().ConfigureAwait(false);
            }

            if (deferred is not null)
            {
                context.Features.Set<IHttpRequestLifetimeFeature>(lifetime);
                deferred.Finish();
            }
        }
    }

    private static Task NoteSocket(HttpContext context, RequestDelegate next)
    {
        if (context.Features.Get<IHttpWebSocketFeature>() is { IsWebSocketRequest: true } feature &&
            context.Features.Get<IHttpUpgradeFeature>() is LingeringUpgrade lingering)
        {
            context.Features.Set<IHttpWebSocketFeature>(new NotingWebSocketFeature(feature, lingering));
        }

        return next(context);
    }

    /// <summary>
    /// The server's upgrade, handing out a <see cref="LingeringStream"/>. On the event-loop transport a plain HTTP/1.1
    /// connection leaves the HTTP stack here: the stream is the socket itself (<see cref="LoopTransport.TryTakeOver"/>), so
    /// every WebSocket accepted anywhere in the gateway runs on the loop without its handler knowing.
    /// </summary>
    private sealed class LingeringUpgrade(IHttpUpgradeFeature inner, HttpContext context) : IHttpUpgradeFeature
    {
        public LingeringStream? Stream { get; private set; }

        public bool IsUpgradableRequest => inner.IsUpgradableRequest;

        public async Task<Stream> UpgradeAsync()
        {
            var upgraded = await inner.UpgradeAsync().ConfigureAwait(false);
            if (!context.Request.IsHttps && HttpProtocol.IsHttp11(context.Request.Protocol) &&
                context.RequestServices.GetService<LoopTransport>() is { } transport &&
                await transport.TryTakeOver(context.Connection.Id, upgraded).ConfigureAwait(false) is { } direct)
            {
                upgraded = direct;
            }

            Stream = new LingeringStream(upgraded);
            return Stream;
        }
    }

    /// <summary>
    /// The request's lifetime, whose <see cref="Abort"/> on an upgraded connection cancels <see cref="RequestAborted"/> (so the
    /// handler ends as before) and releases the stream, but leaves the connection to end after the linger; it is aborted
    /// for real only if the handler has not returned within <see cref="AbortDeadline"/>.
    /// </summary>
    private sealed class DeferredAbort : IHttpRequestLifetimeFeature
    {
        private static readonly TimeSpan AbortDeadline = TimeSpan.FromSeconds(10);
        private readonly IHttpRequestLifetimeFeature _inner;
        private readonly LingeringUpgrade _upgrade;
        private readonly CancellationTokenSource _aborted;
        private volatile bool _finished;

        public DeferredAbort(IHttpRequestLifetimeFeature inner, LingeringUpgrade upgrade)
        {
            _inner = inner;
            _upgrade = upgrade;
            _aborted = CancellationTokenSource.CreateLinkedTokenSource(inner.RequestAborted);
        }

        public CancellationToken RequestAborted
        {
            get => _finished ? _inner.RequestAborted : _aborted.Token;
            set => _inner.RequestAborted = value;
        }

        public void Abort()
        {
            if (_upgrade.Stream is not { } stream)
            {
                _inner.Abort();
                return;
            }

            try
            {
                _aborted.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The request has finished.
            }

            stream.Release();
            _ = AbortUnlessFinishedAsync();
        }

        public void Finish()
        {
            _finished = true;
            _aborted.Dispose();
        }

        private async Task AbortUnlessFinishedAsync()
        {
            await Task.Delay(AbortDeadline).ConfigureAwait(false);
            if (!_finished)
            {
                _inner.Abort();
            }
        }
    }

    /// <summary>The WebSocket middleware's feature, remembering the socket it accepts.</summary>
    private sealed class NotingWebSocketFeature(IHttpWebSocketFeature inner, LingeringUpgrade upgrade) : IHttpWebSocketFeature
    {
        public bool IsWebSocketRequest => inner.IsWebSocketRequest;

        public async Task<WebSocket> AcceptAsync(WebSocketAcceptContext context)
        {
            var socket = await inner.AcceptAsync(context).ConfigureAwait(false);
            if (upgrade.Stream is { } stream)
            {
                stream.Socket = socket;
            }

            return socket;
        }
    }
}
