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
/// An OpenAI-shaped realtime backend that the test drives by hand, for the voice modes: it records every event the
/// gateway sends (microphone appends included) and lets the test wait for one, and it sends whatever server events the
/// test gives it (agent audio deltas, <c>speech_started</c>, function calls, <c>response.done</c>) on the latest
/// connection. Nothing is answered on its own apart from <c>session.created</c> on connect.
/// </summary>
internal sealed class VoiceFakeBackend : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The <c>type</c> recorded for a message from the gateway that is not valid JSON.</summary>
    public const string Unparseable = "(not json)";

    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly List<JsonNode> _received = [];
    private readonly HashSet<int> _taken = [];
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource<WebSocket> _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _events;

    private VoiceFakeBackend(WebApplication app, string baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    public string RealtimeUrl => "ws" + BaseUrl["http".Length..] + "/v1/realtime";

    /// <summary>Every event received so far, in order.</summary>
    public IReadOnlyList<JsonNode> Received
    {
        get
        {
            lock (_gate)
            {
                return _received.ToList();
            }
        }
    }

    /// <summary>Gateway settings that point a gateway at this backend.</summary>
    public Dictionary<string, string?> GatewaySettings()
    {
        var settings = SessionApi.Settings();
        settings["Switchboard:Backend:Kind"] = "OpenAI";
        settings["Switchboard:OpenAI:ApiKey"] = "sk-test-key";
        settings["Switchboard:OpenAI:RealtimeUrl"] = RealtimeUrl;
        return settings;
    }

    public static async Task<VoiceFakeBackend> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.UseWebSockets();
        VoiceFakeBackend? self = null;
        app.Map("/{**path}", async (HttpContext context) =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = 400;
                return;
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            await self!.ServeAsync(socket);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self = new VoiceFakeBackend(app, address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        return self;
    }

    private async Task ServeAsync(WebSocket socket)
    {
        if (!_connected.TrySetResult(socket))
        {
            var next = new TaskCompletionSource<WebSocket>(TaskCreationOptions.RunContinuationsAsynchronously);
            next.SetResult(socket);
            _connected = next;
        }

        await SendAsync(new { type = "session.created", session = new { type = "realtime", id = "sess_fake", model = "gpt-realtime" } });
        var buffer = new byte[4 << 20];
        while (true)
        {
            var count = 0;
            WebSocketReceiveResult result;
            try
            {
                do
                {
                    result = await socket.ReceiveAsync(new ArraySegment<byte>(buffer, count, buffer.Length - count), CancellationToken.None);
                    count += result.Count;
                }
                while (!result.EndOfMessage);
            }
            catch (WebSocketException)
            {
                return;
            }

            if (result.MessageType == WebSocketMessageType.Close)
            {
                return;
            }

            var text = Encoding.UTF8.GetString(buffer, 0, count);
            JsonNode message;
            try
            {
                message = JsonNode.Parse(text)!;
            }
            catch (JsonException)
            {
                // A real backend would refuse it with invalid_json; a test can look for this.
                message = new JsonObject { ["type"] = Unparseable, ["raw"] = text };
            }

            TaskCompletionSource changed;
            lock (_gate)
            {
                _received.Add(message);
                changed = _changed;
                _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            changed.TrySetResult();
        }
    }

    /// <summary>Sends one server event (an <c>event_id</c> is added) on the latest connection, waiting for it if needed.</summary>
    public async Task SendAsync(object payload)
    {
        var socket = await _connected.Task.WaitAsync(DefaultTimeout);
        var node = JsonSerializer.SerializeToNode(payload)!.AsObject();
        node["event_id"] = "event_" + Interlocked.Increment(ref _events);
        await _sendLock.WaitAsync();
        try
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(node.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>
    /// The first received event of <paramref name="type"/> (matching <paramref name="also"/>) that no earlier wait returned.
    /// </summary>
    public async Task<JsonNode> WaitForAsync(string type, Func<JsonNode, bool>? also = null, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                for (var i = 0; i < _received.Count; i++)
                {
                    if (!_taken.Contains(i) && (string?)_received[i]["type"] == type && (also?.Invoke(_received[i]) ?? true))
                    {
                        _taken.Add(i);
                        return _received[i];
                    }
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no '{type}' event from the gateway; received: {string.Join(" | ", Received.Select(Describe))}");
            }
        }
    }

    /// <summary>The index of <paramref name="node"/> among the received events (to compare orders).</summary>
    public int IndexOf(JsonNode node)
    {
        lock (_gate)
        {
            return _received.IndexOf(node);
        }
    }

    /// <summary>The audio bytes of every <c>input_audio_buffer.append</c> received so far, concatenated.</summary>
    public byte[] AppendedAudio() =>
        Received.Where(e => (string?)e["type"] == "input_audio_buffer.append")
            .SelectMany(e => Convert.FromBase64String((string)e["audio"]!))
            .ToArray();

    // Appends are long; show their size only.
    private static string Describe(JsonNode e) =>
        (string?)e["type"] == "input_audio_buffer.append" ? "append(" + ((string?)e["audio"])?.Length + ")" : e.ToJsonString();

    // Agent-side helpers: the GA events a model streams.

    public Task ResponseCreatedAsync(string responseId) =>
        SendAsync(new { type = "response.created", response = new { id = responseId, status = "in_progress" } });

    /// <summary>Sends <paramref name="ms"/> of 24 kHz PCM16 (a 300 Hz tone) as one <c>response.output_audio.delta</c>.</summary>
    public Task AudioDeltaAsync(string responseId, string itemId, int ms) =>
        SendAsync(new
        {
            type = "response.output_audio.delta",
            response_id = responseId,
            item_id = itemId,
            output_index = 0,
            content_index = 0,
            delta = Convert.ToBase64String(VoiceAudio.Tone(24000, ms, 300)),
        });

    public Task AudioDoneAsync(string responseId, string itemId) =>
        SendAsync(new { type = "response.output_audio.done", response_id = responseId, item_id = itemId, output_index = 0, content_index = 0 });

    public Task TranscriptDeltaAsync(string responseId, string itemId, string delta) =>
        SendAsync(new { type = "response.output_audio_transcript.delta", response_id = responseId, item_id = itemId, output_index = 0, content_index = 0, delta });

    public Task TranscriptDoneAsync(string responseId, string itemId, string transcript) =>
        SendAsync(new { type = "response.output_audio_transcript.done", response_id = responseId, item_id = itemId, output_index = 0, content_index = 0, transcript });

    public Task ResponseDoneAsync(string responseId, string status = "completed") =>
        SendAsync(new
        {
            type = "response.done",
            response = new { id = responseId, status, usage = new { total_tokens = 0, input_tokens = 0, output_tokens = 0 } },
        });

    public Task SpeechStartedAsync(long audioStartMs = 0) =>
        SendAsync(new { type = "input_audio_buffer.speech_started", audio_start_ms = audioStartMs, item_id = "item_user_" + audioStartMs });

    public Task SpeechStoppedAsync(long audioEndMs) =>
        SendAsync(new { type = "input_audio_buffer.speech_stopped", audio_end_ms = audioEndMs, item_id = "item_user_" + audioEndMs });

    public Task FunctionCallAsync(string responseId, string callId, string name, string arguments) =>
        SendAsync(new
        {
            type = "response.function_call_arguments.done",
            response_id = responseId,
            item_id = "item_" + callId,
            output_index = 0,
            call_id = callId,
            name,
            arguments,
        });

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _sendLock.Dispose();
    }
}
