using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Switchboard.Testing;

namespace Switchboard.IntegrationTests.Telemetry;

/// <summary>
/// An OTLP/HTTP receiver (<c>http/protobuf</c>) on loopback: keeps every span posted to <c>/v1/traces</c>, decoded by
/// <see cref="OtlpSpan.ReadRequest"/>; answers 200 to metrics and logs too.
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly LoopbackServer _server;

    private OtlpReceiver(LoopbackServer server) => _server = server;

    public string BaseUrl => _server.BaseUrl;

    public ConcurrentQueue<OtlpSpan> Spans { get; } = new();

    /// <summary>Content types the exporter sent (to prove it was protobuf).</summary>
    public ConcurrentBag<string> ContentTypes { get; } = [];

    public static async Task<OtlpReceiver> StartAsync()
    {
        OtlpReceiver? receiver = null;
        var server = await LoopbackServer.StartAsync(app => app.Run(context => receiver!.ReceiveAsync(context)));
        receiver = new OtlpReceiver(server);
        return receiver;
    }

    /// <summary>Waits until the spans received satisfy <paramref name="done"/> (15 s).</summary>
    public async Task<IReadOnlyList<OtlpSpan>> WaitForAsync(Func<IReadOnlyList<OtlpSpan>, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var spans = Spans.ToList();
            if (done(spans))
            {
                return spans;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("spans received: " + string.Join(", ", spans.Select(s => $"{s.Name} ({s.Kind}, {s.Scope}, {s["url.full"]})").Distinct()));
            }

            await Task.Delay(100);
        }
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task ReceiveAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        if (context.Request.Path == "/v1/traces")
        {
            ContentTypes.Add(context.Request.ContentType ?? "");
            foreach (var span in OtlpSpan.ReadRequest(body.ToArray()))
            {
                Spans.Enqueue(span);
            }
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/x-protobuf";
    }
}
