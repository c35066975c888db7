using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Switchboard.Configuration;
using Switchboard.Telegram;

namespace Switchboard.Server.Telegram;

/// <summary>
/// <c>WS /ws/bridge</c>: the operator's control channel. The secret is checked at the upgrade (401, never a socket left
/// waiting); then the bridge receives <c>hello</c>, every surface change and call event, and may send <c>bind</c>
/// (<c>{"type":"bind","threadId":"…"}</c>), <c>arm</c>, <c>disarm</c>, <c>hangup</c>, <c>status</c> and <c>ping</c>.
/// </summary>
internal static partial class BridgeSocket
{
    public const string Path = "/ws/bridge";

    private const int MaxMessageBytes = 16 * 1024;

    public static void Map(IEndpointRouteBuilder routes) => routes.Map(Path, ConnectAsync).ExcludeFromDescription();

    private static async Task ConnectAsync(HttpContext context, IOptions<SwitchboardOptions> options, CallSurface surface, ILogger<CallSurface> logger)
    {
        if (!ControlSecret.IsPresented(context, options.Value.Realtime.ControlSecret))
        {
            LogRefused(logger, string.IsNullOrEmpty(options.Value.Realtime.ControlSecret) ? "REALTIME_CONTROL_SECRET is not configured" : "wrong or missing secret");
            await CallRefusal.Result(context, CallRefusal.Unauthorized, string.IsNullOrEmpty(options.Value.Realtime.ControlSecret)
                ? "the gateway has no REALTIME_CONTROL_SECRET: set it to let a bridge connect"
                : "present REALTIME_CONTROL_SECRET as Authorization: Bearer <secret> (or ?secret=)").ExecuteAsync(context);
            return;
        }

        if (!context.WebSockets.IsWebSocketRequest)
        {
            await CallRefusal.Result(context, CallRefusal.BadRequest, "WebSocket upgrade expected").ExecuteAsync(context);
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var feed = surface.Feed.Subscribe();
        LogConnected(logger, surface.Feed.Count);
        using var sending = new SemaphoreSlim(1, 1);
        await surface.RefreshAsync();
        var hello = CallSurface.Message("hello", ("status", surface.Describe()));
        await SendAsync(socket, sending, hello, context.RequestAborted);
        var writer = Task.Run(async () =>
        {
            await foreach (var message in feed.Reader.ReadAllAsync(context.RequestAborted))
            {
                await SendAsync(socket, sending, message, context.RequestAborted);
            }
        });
        try
        {
            await ReadAsync(socket, sending, surface, context.RequestAborted);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
        }
        finally
        {
            surface.Feed.Unsubscribe(feed);
            try
            {
                await writer;
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
            {
            }

            LogDisconnected(logger, surface.Feed.Count);
        }

        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
            {
                socket.Abort();
            }
        }
    }

    private static async Task ReadAsync(WebSocket socket, SemaphoreSlim sending, CallSurface surface, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxMessageBytes];
        while (true)
        {
            var length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                if (length == buffer.Length)
                {
                    await SendAsync(socket, sending, Error("message too large"), cancellationToken);
                    return;
                }

                result = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken);
                length += result.Count;
            }
            while (!result.EndOfMessage);

            if (result.MessageType == WebSocketMessageType.Close)
            {
                return;
            }

            var reply = await HandleAsync(buffer.AsMemory(0, length), surface);
            if (reply is not null)
            {
                await SendAsync(socket, sending, reply, cancellationToken);
            }
        }
    }

    /// <summary>One message from the bridge; the direct reply (announcements go to every connection through the feed).</summary>
    private static async Task<JsonObject?> HandleAsync(ReadOnlyMemory<byte> message, CallSurface surface)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(message.Span);
        }
        catch (JsonException)
        {
            return Error("not JSON");
        }

        var type = node?["type"]?.GetValueKind() == JsonValueKind.String ? node["type"]!.GetValue<string>() : null;
        switch (type)
        {
            case "bind":
                var thread = node!["threadId"]?.GetValueKind() == JsonValueKind.String ? node["threadId"]!.GetValue<string>() : null;
                if (string.IsNullOrWhiteSpace(thread) || thread.Length > 200)
                {
                    return Error("bind needs a threadId of 1-200 characters");
                }

                await surface.BindThreadAsync(thread);
                return null;
            case "arm":
                await surface.ArmAsync("bridge");
                return null;
            case "disarm":
                await surface.DisarmAsync("bridge");
                return null;
            case "hangup":
                var ended = await surface.HangUpAsync("hung up by the bridge");
                return CallSurface.Message("hangup.result", ("status", ended ? "ending" : "no_call"));
            case "status":
                await surface.RefreshAsync();
                return CallSurface.Message("status", ("status", surface.Describe()));
            case "ping":
                return CallSurface.Message("pong");
            default:
                return Error($"unknown type '{type}'; known: bind, arm, disarm, hangup, status, ping");
        }
    }

    private static JsonObject Error(string message) => CallSurface.Message("error", ("message", message));

    private static async Task SendAsync(WebSocket socket, SemaphoreSlim sending, JsonObject message, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(message.ToJsonString());
        await sending.WaitAsync(cancellationToken);
        try
        {
            await socket.SendAsync(bytes, WebSocketMessageType.Text, true, cancellationToken);
        }
        finally
        {
            sending.Release();
        }
    }

    [LoggerMessage(EventId = Switchboard.Diagnostics.EventIds.TelegramBridgeConnected, Level = LogLevel.Information, Message = "Bridge control connection opened ({Connections} connected)")]
    private static partial void LogConnected(ILogger logger, int connections);

    [LoggerMessage(EventId = Switchboard.Diagnostics.EventIds.TelegramBridgeRefused, Level = LogLevel.Warning, Message = "Bridge control connection refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);

    [LoggerMessage(EventId = Switchboard.Diagnostics.EventIds.TelegramBridgeDisconnected, Level = LogLevel.Information, Message = "Bridge control connection closed ({Connections} connected)")]
    private static partial void LogDisconnected(ILogger logger, int connections);
}
