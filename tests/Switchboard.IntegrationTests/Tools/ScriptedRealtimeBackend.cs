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

namespace Switchboard.IntegrationTests.Tools;

/// <summary>
/// A GA realtime stand-in that plays exact server events: after the gateway's <c>session.update</c> it sends
/// <see cref="Script"/> in order, and answers every <c>response.create</c> with an empty completed response. Records
/// every client event except audio appends. For races the local backend cannot stage (a cancelled response's
/// function call, the same <c>call_id</c> delivered twice).
/// </summary>
internal sealed class ScriptedRealtimeBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _responses;

    private ScriptedRealtimeBackend(WebApplication app, string baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    public string RealtimeUrl => "ws" + BaseUrl["http".Length..] + "/v1/realtime";

    public IReadOnlyList<string> Script { get; set; } = [];

    public ConcurrentQueue<string> ReceivedEvents { get; } = new();

    public static async Task<ScriptedRealtimeBackend> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.UseWebSockets();
        ScriptedRealtimeBackend? self = null;
        app.Map("/{**path}", async (HttpContext context) =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = 400;
                return;
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            await SendAsync(socket, """{"type":"session.created","event_id":"event_1","session":{"type":"realtime","id":"sess_fake","model":"gpt-realtime"}}""");
            var buffer = new byte[1 << 20];
            try
            {
                while (true)
                {
                    var result = await socket.ReceiveAsync(buffer, context.RequestAborted);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                        return;
                    }

                    var text = Encoding.UTF8.GetString(buffer, 0, result.Count);
                    if (text.Contains("input_audio_buffer.append", StringComparison.Ordinal))
                    {
                        continue;
                    }

                    self!.ReceivedEvents.Enqueue(text);
                    if (text.Contains("\"session.update\"", StringComparison.Ordinal))
                    {
                        foreach (var evt in self.Script)
                        {
                            await SendAsync(socket, evt);
                        }
                    }
                    else if (text.Contains("\"response.create\"", StringComparison.Ordinal))
                    {
                        var id = "resp_auto_" + Interlocked.Increment(ref self._responses);
                        await SendAsync(socket, $$$"""{"type":"response.created","event_id":"e_{{{id}}}_c","response":{"id":"{{{id}}}","status":"in_progress"}}""");
                        await SendAsync(socket, $$$"""{"type":"response.done","event_id":"e_{{{id}}}_d","response":{"id":"{{{id}}}","status":"completed","output":[]}}""");
                    }
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
            {
            }
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self = new ScriptedRealtimeBackend(app, address);
        return self;
    }

    /// <summary>A response that makes one function call and ends with <paramref name="status"/>.</summary>
    public static IEnumerable<string> FunctionCallResponse(string responseId, string callId, string name, string argumentsJson, string status = "completed")
    {
        var args = System.Text.Json.JsonSerializer.Serialize(argumentsJson);
        yield return $$$"""{"type":"response.created","event_id":"e_{{{responseId}}}_c","response":{"id":"{{{responseId}}}","status":"in_progress"}}""";
        yield return $$$"""{"type":"response.function_call_arguments.done","event_id":"e_{{{responseId}}}_f","response_id":"{{{responseId}}}","item_id":"item_{{{callId}}}","output_index":0,"call_id":"{{{callId}}}","name":"{{{name}}}","arguments":{{{args}}}}""";
        yield return $$$"""{"type":"response.done","event_id":"e_{{{responseId}}}_d","response":{"id":"{{{responseId}}}","status":"{{{status}}}","output":[]}}""";
    }

    private static Task SendAsync(WebSocket socket, string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
