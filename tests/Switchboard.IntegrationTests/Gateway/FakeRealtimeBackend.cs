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

namespace Switchboard.IntegrationTests.Gateway;

/// <summary>
/// A stand-in for OpenAI's realtime endpoint (this machine cannot reach OpenAI): it speaks the GA wire
/// protocol's first steps, records what the gateway sent (headers, query, events), and drops the
/// connection after <see cref="DropAfter"/> so the gateway's failure path can be observed.
/// </summary>
internal sealed class FakeRealtimeBackend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeRealtimeBackend(WebApplication app, string baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    public TimeSpan DropAfter { get; set; } = TimeSpan.FromMilliseconds(600);

    public ConcurrentQueue<HttpRequestRecord> Requests { get; } = new();

    public ConcurrentQueue<string> ReceivedEvents { get; } = new();

    public static async Task<FakeRealtimeBackend> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.UseWebSockets();
        FakeRealtimeBackend? self = null;
        app.Map("/{**path}", async (HttpContext context) =>
        {
            self!.Requests.Enqueue(new HttpRequestRecord(context.Request.Path + context.Request.QueryString,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = 400;
                return;
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            await socket.SendAsync(Encoding.UTF8.GetBytes("""{"type":"session.created","event_id":"event_1","session":{"type":"realtime","id":"sess_fake","model":"gpt-realtime"}}"""),
                WebSocketMessageType.Text, true, CancellationToken.None);
            var buffer = new byte[1 << 20];
            using var drop = new CancellationTokenSource(self.DropAfter);
            try
            {
                while (true)
                {
                    var result = await socket.ReceiveAsync(buffer, drop.Token);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    var text = Encoding.UTF8.GetString(buffer, 0, result.Count);
                    if (!text.Contains("input_audio_buffer.append", StringComparison.Ordinal))
                    {
                        self.ReceivedEvents.Enqueue(text);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Simulate the backend going away mid-call: no close handshake.
                socket.Abort();
            }
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self = new FakeRealtimeBackend(app, address);
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    internal sealed record HttpRequestRecord(string PathAndQuery, Dictionary<string, string> Headers);
}
