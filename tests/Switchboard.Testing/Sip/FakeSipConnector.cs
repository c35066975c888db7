using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Switchboard.Testing.Realtime;

namespace Switchboard.Testing.Sip;

/// <summary>
/// A stand-in for the OpenAI (and Azure OpenAI) Realtime SIP connector on one <see cref="LoopbackServer"/>: the REST calls
/// <c>POST {base}/realtime/calls/{call_id}/accept|reject|refer|hangup</c> under <c>/v1</c> (OpenAI) and <c>/openai/v1</c>
/// (Azure), each recorded and answered 200 with an empty body unless the test says otherwise (<see cref="Answer"/>), and
/// the call's sideband WebSocket (<c>…/realtime?call_id=…</c>), which is a <see cref="FakeRealtimeBackend"/> and is only
/// opened for a call that has been accepted (as the real connector). It also signs webhooks the way OpenAI does (Standard
/// Webhooks, written here independently of the gateway's verifier).
/// </summary>
public sealed partial class FakeSipConnector : IAsyncDisposable
{
    private readonly ConcurrentQueue<SipRestCall> _calls = new();
    private readonly ConcurrentDictionary<string, byte> _accepted = new(StringComparer.Ordinal);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private FakeSipConnector()
    {
    }

    /// <summary>The sideband: every client event of every call, and the test's server events.</summary>
    public FakeRealtimeBackend Sideband { get; private set; } = null!;

    /// <summary>What <c>OPENAI_BASE_URL</c> takes: <c>http://127.0.0.1:port/v1</c>.</summary>
    public string ApiBaseUrl => Sideband.BaseUrl + "/v1";

    /// <summary>What <c>OPENAI_REALTIME_URL</c> takes: <c>ws://127.0.0.1:port/v1/realtime</c>.</summary>
    public string RealtimeUrl => Sideband.RealtimeUrl;

    /// <summary>What <c>AZURE_OPENAI_ENDPOINT</c> takes (plain http on loopback).</summary>
    public string AzureEndpoint => Sideband.BaseUrl;

    /// <summary>Every REST call so far, in order.</summary>
    public IReadOnlyList<SipRestCall> Calls => _calls.ToArray();

    /// <summary>
    /// The status and body each REST call is answered with (<c>(action, call_id, attempt)</c> → status, body); null
    /// answers 200 with an empty body. <c>attempt</c> counts that action on that call from 1.
    /// </summary>
    public Func<string, string, int, (int Status, string? Body)?>? Answer { get; set; }

    public static async Task<FakeSipConnector> StartAsync()
    {
        var fake = new FakeSipConnector();
        fake.Sideband = await FakeRealtimeBackend.StartAsync(app => app.Use(async (context, next) =>
        {
            // REST: matched here rather than with endpoint routing, which would run after the fake's terminal socket handler.
            var match = RestPath().Match(context.Request.Path.Value ?? "");
            if (HttpMethods.IsPost(context.Request.Method) && match.Success)
            {
                await fake.HandleAsync(context, match.Groups[1].Success ? "azure" : "openai", Uri.UnescapeDataString(match.Groups[2].Value), match.Groups[3].Value);
                return;
            }

            // The sideband attaches only to an accepted call.
            if (context.WebSockets.IsWebSocketRequest && context.Request.Query["call_id"].ToString() is { Length: > 0 } callId && !fake._accepted.ContainsKey(callId))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            await next(context);
        }));
        return fake;
    }

    /// <summary>The first REST call of <paramref name="action"/> (on <paramref name="callId"/> when given) the test has not taken yet, once it comes.</summary>
    public async Task<SipRestCall> WaitForAsync(string action, string? callId = null, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? FakeRealtimeBackend.DefaultTimeout);
        while (true)
        {
            var changed = Volatile.Read(ref _changed).Task;
            var found = _calls.FirstOrDefault(c => c.Action == action && (callId is null || c.CallId == callId) && c.TryTake());
            if (found is not null)
            {
                return found;
            }

            try
            {
                await changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no '{action}' call; received: {string.Join(", ", Calls.Select(c => $"{c.Action} {c.CallId}"))}");
            }
        }
    }

    /// <summary>The REST calls of <paramref name="action"/> made so far.</summary>
    public IReadOnlyList<SipRestCall> Of(string action) => Calls.Where(c => c.Action == action).ToList();

    /// <summary>
    /// A <c>realtime.call.incoming</c> body as OpenAI sends it: the call id and the INVITE's headers (From, To, Call-ID, plus
    /// <paramref name="extraHeaders"/>).
    /// </summary>
    public static byte[] IncomingCall(string callId, string from = "\"Caller\" <sip:+15550001111@carrier.example.com>;tag=abc", string to = "<sip:+15550002222@sip.api.openai.com>",
        string eventId = "evt_test", params (string Name, string Value)[] extraHeaders)
    {
        var headers = new JsonArray
        {
            new JsonObject { ["name"] = "From", ["value"] = from },
            new JsonObject { ["name"] = "To", ["value"] = to },
            new JsonObject { ["name"] = "Call-ID", ["value"] = "sipcall-" + callId + "@carrier.example.com" },
            new JsonObject { ["name"] = "CSeq", ["value"] = "1 INVITE" },
        };
        foreach (var (name, value) in extraHeaders)
        {
            headers.Add(new JsonObject { ["name"] = name, ["value"] = value });
        }

        var body = new JsonObject
        {
            ["id"] = eventId,
            ["object"] = "event",
            ["type"] = "realtime.call.incoming",
            ["created_at"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["data"] = new JsonObject { ["call_id"] = callId, ["sip_headers"] = headers },
        };
        return Encoding.UTF8.GetBytes(body.ToJsonString());
    }

    /// <summary>
    /// A webhook POST signed as OpenAI signs it: <c>webhook-id</c>, <c>webhook-timestamp</c> (now, unless given) and
    /// <c>webhook-signature: v1,base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}"))</c>, the key being the base64 after
    /// <c>whsec_</c> or else the secret's UTF-8 bytes.
    /// </summary>
    public static HttpRequestMessage SignedWebhook(string url, string secret, string webhookId, byte[] body, long? timestamp = null)
    {
        var at = timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("webhook-id", webhookId);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", at.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("webhook-signature", Sign(secret, webhookId, at, body));
        request.Headers.TryAddWithoutValidation("user-agent", "OpenAI/1.0 (+https://platform.openai.com/docs/webhooks)");
        return request;
    }

    /// <summary>The <c>webhook-signature</c> value (<c>v1,…</c>) of one message.</summary>
    public static string Sign(string secret, string webhookId, long timestamp, byte[] body)
    {
        var key = secret.StartsWith("whsec_", StringComparison.Ordinal) ? Convert.FromBase64String(secret["whsec_".Length..]) : Encoding.UTF8.GetBytes(secret);
        var signed = Encoding.UTF8.GetBytes($"{webhookId}.{timestamp}.").Concat(body).ToArray();
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed));
    }

    public ValueTask DisposeAsync() => Sideband.DisposeAsync();

    [System.Text.RegularExpressions.GeneratedRegex("^/(openai/)?v1/realtime/calls/([^/]+)/(accept|reject|refer|hangup)$")]
    private static partial System.Text.RegularExpressions.Regex RestPath();

    private async Task HandleAsync(HttpContext context, string flavour, string callId, string action)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(context.RequestAborted);
        JsonNode? body = null;
        try
        {
            body = text.Length > 0 ? JsonNode.Parse(text) : null;
        }
        catch (System.Text.Json.JsonException)
        {
        }

        var attempt = _calls.Count(c => c.Action == action && c.CallId == callId) + 1;
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var answer = Answer?.Invoke(action, callId, attempt);
        var status = answer?.Status ?? StatusCodes.Status200OK;
        if (action == "accept" && status == StatusCodes.Status200OK)
        {
            _accepted[callId] = 0;
        }

        _calls.Enqueue(new SipRestCall(flavour, action, callId, body, text, headers, status));
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        context.Response.StatusCode = status;
        if (answer?.Body is { } error)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(error, context.RequestAborted);
        }
    }
}

/// <summary>One REST call the <see cref="FakeSipConnector"/> received: whose path (<c>openai</c> or <c>azure</c>), the action, the call id, the body and headers, and the status it was answered with.</summary>
public sealed record SipRestCall(string Flavour, string Action, string CallId, JsonNode? Body, string RawBody, IReadOnlyDictionary<string, string> Headers, int Status)
{
    private int _taken;

    /// <summary>Marks the call taken by a wait (each wait returns another call).</summary>
    internal bool TryTake() => Interlocked.Exchange(ref _taken, 1) == 0;
}
