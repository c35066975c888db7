using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Switchboard.IntegrationTests.Sessions;

/// <summary>
/// A stand-in for an OpenAI-style realtime backend in text mode: records what the gateway sends and answers each
/// <c>response.create</c> with GA text events (two deltas, a done, a completed <c>response.done</c>), or with an
/// <c>error</c> echoing the request's <c>event_id</c>, or by dropping the connection.
/// </summary>
internal sealed class ScriptedTextBackend : IAsyncDisposable
{
    public const string Answer = "Fake answer.";

    private readonly WebApplication _app;
    private int _failNext;

    private ScriptedTextBackend(WebApplication app, string baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    public string RealtimeUrl => "ws" + BaseUrl["http".Length..] + "/v1/realtime";

    public ConcurrentQueue<string> Requests { get; } = new();

    public ConcurrentQueue<JsonNode> ReceivedEvents { get; } = new();

    /// <summary>When set, the next response.create is answered by dropping the socket.</summary>
    public bool DropOnResponse { get; set; }

    /// <summary>The next <paramref name="count"/> response.create events get an error instead of a response.</summary>
    public void FailNextResponses(int count) => Interlocked.Exchange(ref _failNext, count);

    public static async Task<ScriptedTextBackend> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.UseWebSockets();
        ScriptedTextBackend? self = null;
        app.Map("/{**path}", async (HttpContext context) =>
        {
            self!.Requests.Enqueue(context.Request.Path + context.Request.QueryString);
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = 400;
                return;
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            await self.ServeAsync(socket);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self = new ScriptedTextBackend(app, address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        return self;
    }

    private async Task ServeAsync(WebSocket socket)
    {
        var events = 0;
        async Task SendAsync(object payload)
        {
            var node = JsonSerializer.SerializeToNode(payload)!.AsObject();
            node["event_id"] = "event_" + (++events);
            await socket.SendAsync(Encoding.UTF8.GetBytes(node.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);
        }

        await SendAsync(new { type = "session.created", session = new { type = "realtime", id = "sess_fake", model = "gpt-realtime" } });
        var buffer = new byte[1 << 20];
        var responses = 0;
        while (true)
        {
            WebSocketReceiveResult result;
            try
            {
                result = await socket.ReceiveAsync(buffer, CancellationToken.None);
            }
            catch (WebSocketException)
            {
                return;
            }

            if (result.MessageType == WebSocketMessageType.Close)
            {
                return;
            }

            var message = JsonNode.Parse(Encoding.UTF8.GetString(buffer, 0, result.Count))!;
            ReceivedEvents.Enqueue(message);
            if ((string?)message["type"] != "response.create")
            {
                continue;
            }

            if (DropOnResponse)
            {
                socket.Abort();
                return;
            }

            if (Interlocked.Decrement(ref _failNext) >= 0)
            {
                await SendAsync(new
                {
                    type = "error",
                    error = new { type = "invalid_request_error", code = "rate_limit_exceeded", message = "Slow down.", param = (string?)null, event_id = (string?)message["event_id"] },
                });
                continue;
            }

            Interlocked.Exchange(ref _failNext, 0);
            var responseId = "resp_" + (++responses);
            var itemId = "item_answer_" + responses;
            await SendAsync(new { type = "response.created", response = new { id = responseId, status = "in_progress" } });
            await SendAsync(new { type = "response.output_text.delta", response_id = responseId, item_id = itemId, output_index = 0, content_index = 0, delta = "Fake " });
            await SendAsync(new { type = "response.output_text.delta", response_id = responseId, item_id = itemId, output_index = 0, content_index = 0, delta = "answer." });
            await SendAsync(new { type = "response.output_text.done", response_id = responseId, item_id = itemId, output_index = 0, content_index = 0, text = Answer });
            await SendAsync(new
            {
                type = "response.done",
                response = new
                {
                    id = responseId,
                    status = "completed",
                    usage = new { total_tokens = 12, input_tokens = 8, output_tokens = 4 },
                },
            });
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
