using System.Buffers;
using System.Net.WebSockets;
using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Carriers;
using Switchboard.Carriers.Twilio;
using Switchboard.Diagnostics;
using Switchboard.Transport;

// The floor for the load generator: a relay with the gateway's sockets and its per-frame conversion
// (Twilio media <-> append/delta, payload copied undecoded) and nothing else - no ledger, marks, barge-in,
// journal or timing. The gateway's CPU above this relay's is what the call logic costs.
// Started like the gateway: `dotnet Switchboard.NullRelay.dll serve --urls http://127.0.0.1:PORT` with
// OPENAI_REALTIME_URL and OPENAI_API_KEY pointing at the backend.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var app = builder.Build();
app.UseWebSockets();
var backendUrl = new Uri(Environment.GetEnvironmentVariable("OPENAI_REALTIME_URL") + "?model=gpt-realtime");
var apiKey = Environment.GetEnvironmentVariable("OPENAI_API_KEY") ?? "";
app.MapGet("/healthz", () => Results.Ok());
app.MapGet("/diagnostics/runtime", (string? gc) => Results.Bytes(RuntimeFigures.Capture(fullGc: gc is "full" or "release", releaseMemory: gc == "release").ToJson(), "application/json"));
app.Map("/twilio", async (HttpContext context) =>
{
    using var carrier = await context.WebSockets.AcceptWebSocketAsync();
    using var carrierReader = new WebSocketMessageReader(carrier, 64 * 1024);
    using var carrierSender = new WebSocketSender(carrier);
    var protocol = new TwilioProtocol();
    var toBackend = new ArrayBufferWriter<byte>(1024);
    using var backend = new ClientWebSocket();
    backend.Options.SetRequestHeader("Authorization", "Bearer " + apiKey);
    using var cts = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
    Task? backendLoop = null;
    try
    {
        while (await carrierReader.ReadAsync(cts.Token) == ReceiveStatus.Text)
        {
            var status = Parse(protocol, carrierReader.Message.Span, toBackend, out var kind);
            if (status != CarrierParseStatus.Ok || kind == CarrierFrameKind.Stop)
            {
                break;
            }

            if (kind == CarrierFrameKind.Start)
            {
                await backend.ConnectAsync(backendUrl, cts.Token);
                var update = "{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"audio\":{\"input\":{\"format\":{\"type\":\"audio/pcmu\"}},\"output\":{\"format\":{\"type\":\"audio/pcmu\"}}}}}"u8.ToArray();
                await backend.SendAsync(update, WebSocketMessageType.Text, true, cts.Token);
                backendLoop = RelayBackendAsync(backend, protocol, carrierSender, cts.Token);
            }
            else if (kind == CarrierFrameKind.Media && backend.State == WebSocketState.Open)
            {
                await backend.SendAsync(toBackend.WrittenMemory, WebSocketMessageType.Text, true, cts.Token);
            }
        }
    }
    catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
    {
    }

    await cts.CancelAsync();
    if (backendLoop is not null)
    {
        await backendLoop;
    }

    await carrierSender.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", TimeSpan.FromSeconds(1));
});
await app.RunAsync();

static CarrierParseStatus Parse(TwilioProtocol protocol, ReadOnlySpan<byte> message, ArrayBufferWriter<byte> output, out CarrierFrameKind kind)
{
    var status = protocol.TryParse(message, out var frame);
    kind = frame.Kind;
    if (status == CarrierParseStatus.Ok && frame.Kind == CarrierFrameKind.Media)
    {
        output.ResetWrittenCount();
        RealtimeClientEvents.WriteAppendBase64(output, frame.Payload);
    }

    return status;
}

static async Task RelayBackendAsync(ClientWebSocket backend, TwilioProtocol protocol, WebSocketSender carrier, CancellationToken token)
{
    using var reader = new WebSocketMessageReader(backend, 1 << 20);
    var toCarrier = new ArrayBufferWriter<byte>(1024);
    try
    {
        while (await reader.ReadAsync(token) == ReceiveStatus.Text)
        {
            if (ToCarrier(protocol, reader.Message.Span, toCarrier))
            {
                await carrier.SendTextAsync(toCarrier.WrittenMemory, token);
            }
        }
    }
    catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
    {
    }
}

static bool ToCarrier(TwilioProtocol protocol, ReadOnlySpan<byte> message, ArrayBufferWriter<byte> output)
{
    if (!RealtimeEventScanner.TryScan(message, out var header) || header.Type != RealtimeServerEventType.OutputAudioDelta)
    {
        return false;
    }

    output.ResetWrittenCount();
    protocol.WriteMediaBase64(output, header.Delta);
    return true;
}
