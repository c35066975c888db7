using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Switchboard.Testing;

namespace Switchboard.IntegrationTests.Webhooks;

/// <summary>
/// A webhook receiver on a <see cref="LoopbackServer"/>: records every POST with its headers and raw body,
/// answers with what <see cref="Respond"/> says, and notes when two requests with the same <c>webhook-id</c> overlap.
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, int> _inFlight = new(StringComparer.Ordinal);
    private LoopbackServer _server = null!;
    private int _count;

    public string BaseUrl => _server.BaseUrl;

    public string Url => BaseUrl + "/hooks";

    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();

    /// <summary>Ids that were being handled twice at the same moment.</summary>
    public ConcurrentBag<string> Overlaps { get; } = [];

    /// <summary>Answers request number n (0-based, across all ids): a status code, or null to drop the connection.</summary>
    public Func<ReceivedWebhook, int, Task<int?>> Respond { get; set; } = (_, _) => Task.FromResult<int?>(200);

    public static async Task<WebhookReceiver> StartAsync()
    {
        var receiver = new WebhookReceiver();
        receiver._server = await LoopbackServer.StartAsync(app => app.MapPost("/{**path}", receiver.ReceiveAsync));
        return receiver;
    }

    /// <summary>Waits until <paramref name="done"/> holds for what was received (10 s unless told), then returns it.</summary>
    public async Task<IReadOnlyList<ReceivedWebhook>> WaitForAsync(Func<IReadOnlyList<ReceivedWebhook>, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var snapshot = Received.ToList();
            if (done(snapshot))
            {
                return snapshot;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"receiver got {snapshot.Count} requests: " + string.Join(", ", snapshot.Select(r => r.Id + " " + r.Type)));
            }

            await Task.Delay(20);
        }
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task ReceiveAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var received = new ReceivedWebhook(
            context.Request.Headers["webhook-id"].ToString(),
            context.Request.Headers["webhook-timestamp"].ToString(),
            context.Request.Headers["webhook-signature"].ToString(),
            context.Request.ContentType,
            body.ToArray(),
            DateTimeOffset.UtcNow)
        {
            Authorization = context.Request.Headers.Authorization.ToString(),
            Path = context.Request.Path.Value ?? "",
            TraceParent = context.Request.Headers["traceparent"].FirstOrDefault(),
        };
        var n = Interlocked.Increment(ref _count) - 1;
        if (_inFlight.AddOrUpdate(received.Id, 1, (_, v) => v + 1) > 1)
        {
            Overlaps.Add(received.Id);
        }

        try
        {
            Received.Enqueue(received);
            var status = await Respond(received, n);
            if (status is null)
            {
                context.Abort();
                return;
            }

            context.Response.StatusCode = status.Value;
            if (status.Value >= 300)
            {
                await context.Response.WriteAsync("receiver says no\r\n" + new string('z', 1000));
            }
        }
        finally
        {
            _inFlight.AddOrUpdate(received.Id, 0, (_, v) => v - 1);
        }
    }
}

/// <summary>One request the receiver got.</summary>
internal sealed record ReceivedWebhook(string Id, string Timestamp, string Signature, string? ContentType, byte[] Body, DateTimeOffset At)
{
    /// <summary>The request's <c>Authorization</c> header (empty when none).</summary>
    public string Authorization { get; init; } = "";

    /// <summary>The request path, to tell a hand-off target from a webhook subscription on the same receiver.</summary>
    public string Path { get; init; } = "";
    /// <summary>The W3C <c>traceparent</c> header, when the sender traces.</summary>
    public string? TraceParent { get; init; }

    public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();

    public string Type => Body.Length > 0 ? Json.GetProperty("type").GetString()! : "";

    /// <summary>
    /// Checks the signature the way a receiver in another language would, written here from the Standard Webhooks
    /// spec without the gateway's code: HMAC-SHA256 keyed with base64(secret after whsec_) over "id.timestamp.body".
    /// </summary>
    public bool SignatureIsValid(string secret, int toleranceSeconds = 300)
    {
        if (!long.TryParse(Timestamp, out var ts) || Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - ts) > toleranceSeconds)
        {
            return false;
        }

        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var signed = Encoding.UTF8.GetBytes($"{Id}.{Timestamp}.").Concat(Body).ToArray();
        using var hmac = new HMACSHA256(key);
        var expected = "v1," + Convert.ToBase64String(hmac.ComputeHash(signed));
        return Signature.Split(' ').Any(s => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(s), Encoding.ASCII.GetBytes(expected)));
    }
}
