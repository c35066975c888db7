using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Configuration;
using Switchboard.LocalAgent.Hosting;

namespace Switchboard.Cli.Simulation.Sip;

/// <summary>
/// Plays OpenAI's Realtime SIP connector, offline, against a running gateway: it posts a signed
/// <c>realtime.call.incoming</c> webhook, serves the REST calls (<c>accept</c>, <c>reject</c>, <c>refer</c>, <c>hangup</c>) and
/// the call's sideband WebSocket, and behind the sideband runs the built-in local backend, to which it feeds the caller's
/// audio as the SIP media would. The media never reaches the gateway (as with the real connector): the agent's audio is
/// played here, and its playback reported with <c>output_audio_buffer.started</c>/<c>.stopped</c>. A transfer (REFER) or a
/// hang-up ends the call as the carrier would: the sideband drops.
/// </summary>
internal sealed partial class SipConnectorSimulator : IDisposable
{
    private const int Rate = 24_000;
    private const int ChunkMs = 20;

    private readonly SipSimulationOptions _options;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource<JsonNode> _accepted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _toGateway = new(1, 1);
    private readonly SemaphoreSlim _toBackend = new(1, 1);
    private readonly List<string> _agentTurns = [];
    private readonly List<string> _toolCalls = [];
    private readonly List<string> _problems = [];
    private readonly Dictionary<string, Playback> _playbacks = new(StringComparer.Ordinal);
    private short[] _heard = new short[Rate * 10];
    private long _heardSamples;
    private double _playEndMs;
    private int? _rejectStatus;
    private string? _referTarget;
    private bool _hungUp;
    private bool _attached;
    private WebSocket? _gateway;

    private SipConnectorSimulator(SipSimulationOptions options) => _options = options;

    /// <summary>Runs one call to its end (or a timeout) and reports it.</summary>
    public static async Task<SipSimulationResult> RunAsync(SipSimulationOptions options, CancellationToken cancellationToken)
    {
        using var simulator = new SipConnectorSimulator(options);
        return await simulator.RunCoreAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _toGateway.Dispose();
        _toBackend.Dispose();
    }

    private async Task<SipSimulationResult> RunCoreAsync(CancellationToken cancellationToken)
    {
        var local = new LocalBackendOptions
        {
            Mode = _options.ScenarioPath is null ? LocalAgentMode.Echo : LocalAgentMode.Scripted,
            ScenarioPath = _options.ScenarioPath,
        };
        await using var backend = new LocalRealtimeHost(local, 0, NullLoggerFactory.Instance);
        try
        {
            await backend.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or JsonException or Switchboard.LocalAgent.Scenarios.LocalScenarioException)
        {
            throw new SimulationException("the local backend did not start: " + ex.Message, ex);
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(_options.ListenUrl);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.UseWebSockets();
        app.Run(context => HandleAsync(context, backend, cancellationToken));
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw new SimulationException($"cannot listen on {_options.ListenUrl} (--listen): {ex.Message}", ex);
        }

        int status;
        try
        {
            Note($"OpenAI (simulated) at {_options.ListenUrl}: posting realtime.call.incoming for {_options.CallId} to {_options.WebhookUrl}");
            status = await PostWebhookAsync(cancellationToken).ConfigureAwait(false);
            Note($"webhook answered {status}");
            if (status == StatusCodes.Status200OK)
            {
                var limit = TimeSpan.FromSeconds(_options.LeadInSeconds + ((_options.CallerAudio?.Length ?? Rate * 3 / 2) / (double)Rate) + _options.TailSeconds + 30);
                if (await Task.WhenAny(_ended.Task, Task.Delay(limit, cancellationToken)).ConfigureAwait(false) != _ended.Task)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    End($"nothing ended the call within {limit.TotalSeconds:0} s");
                    Drop();
                }

                // REST calls that trail the end (a hang-up after the sideband closed) still count.
                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            Drop();
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }

        lock (_gate)
        {
            return new SipSimulationResult
            {
                WebhookStatus = status,
                AcceptedSession = _accepted.Task.IsCompletedSuccessfully ? _accepted.Task.Result : null,
                RejectStatus = _rejectStatus,
                ReferTarget = _referTarget,
                HungUp = _hungUp,
                SidebandAttached = _attached,
                Ending = _ended.Task.IsCompletedSuccessfully ? _ended.Task.Result : $"the gateway answered the webhook {status}",
                AgentTurns = [.. _agentTurns],
                ToolCalls = [.. _toolCalls],
                AgentAudio = _heard[..(int)Math.Min(_heardSamples, _heard.Length)],
                Problems = [.. _problems],
            };
        }
    }

    // ---- the webhook ----

    private async Task<int> PostWebhookAsync(CancellationToken cancellationToken)
    {
        var headers = new JsonArray
        {
            new JsonObject { ["name"] = "From", ["value"] = $"<sip:{_options.From}@carrier.example.com>;tag={Guid.NewGuid():N}" },
            new JsonObject { ["name"] = "To", ["value"] = $"<sip:{_options.To}@sip.api.openai.com>" },
            new JsonObject { ["name"] = "Call-ID", ["value"] = Guid.NewGuid().ToString("N") + "@carrier.example.com" },
            new JsonObject { ["name"] = "CSeq", ["value"] = "1 INVITE" },
        };
        foreach (var (name, value) in _options.Headers)
        {
            headers.Add(new JsonObject { ["name"] = name, ["value"] = value });
        }

        var body = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["id"] = "evt_" + Guid.NewGuid().ToString("N"),
            ["object"] = "event",
            ["type"] = "realtime.call.incoming",
            ["created_at"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["data"] = new JsonObject { ["call_id"] = _options.CallId, ["sip_headers"] = headers },
        }.ToJsonString());
        var webhookId = "wh_" + Guid.NewGuid().ToString("N");
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        // Without a secret, a throwaway one: a gateway in TEST_MODE does not check it, any other refuses the call (401).
        var secret = _options.Secret ?? "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        using var request = new HttpRequestMessage(HttpMethod.Post, _options.WebhookUrl) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("webhook-id", webhookId);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("webhook-signature", Sign(secret, webhookId, timestamp, body));
        request.Headers.TryAddWithoutValidation("user-agent", "OpenAI/1.0 (+https://platform.openai.com/docs/webhooks) switchboard-simulate");
        try
        {
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            return (int)response.StatusCode;
        }
        catch (HttpRequestException ex)
        {
            throw new SimulationException($"cannot reach the gateway's webhook at {_options.WebhookUrl}: {ex.Message}", ex);
        }
    }

    /// <summary>The Standard Webhooks signature (<c>v1,base64(HMAC-SHA256)</c> over <c>"{id}.{timestamp}.{body}"</c>).</summary>
    internal static string Sign(string secret, string webhookId, long timestamp, byte[] body)
    {
        var key = secret.StartsWith("whsec_", StringComparison.Ordinal) ? Convert.FromBase64String(secret["whsec_".Length..]) : Encoding.UTF8.GetBytes(secret);
        var signed = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{webhookId}.{timestamp}.")).Concat(body).ToArray();
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed));
    }

    // ---- the REST calls and the sideband ----

    private async Task HandleAsync(HttpContext context, LocalRealtimeHost backend, CancellationToken cancellationToken)
    {
        var path = context.Request.Path.Value ?? "";
        var rest = RestPath().Match(path);
        if (HttpMethods.IsPost(context.Request.Method) && rest.Success)
        {
            await HandleRestAsync(context, Uri.UnescapeDataString(rest.Groups[2].Value), rest.Groups[3].Value).ConfigureAwait(false);
            return;
        }

        if (context.WebSockets.IsWebSocketRequest && path is "/v1/realtime" or "/openai/v1/realtime")
        {
            await HandleSidebandAsync(context, backend, cancellationToken).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status404NotFound;
    }

    private async Task HandleRestAsync(HttpContext context, string callId, string action)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        JsonNode? body = null;
        try
        {
            body = text.Length > 0 ? JsonNode.Parse(text) : null;
        }
        catch (JsonException)
        {
            Problem($"{action}: the body is not JSON");
        }

        if (!string.Equals(callId, _options.CallId, StringComparison.Ordinal))
        {
            Problem($"{action} for an unknown call {callId}");
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (_ended.Task.IsCompleted && action != "hangup")
        {
            Problem($"{action} after the call ended");
        }

        switch (action)
        {
            case "accept":
                DescribeAccept(body);
                _accepted.TrySetResult(body ?? new JsonObject());
                break;
            case "reject":
                var status = body?["status_code"]?.GetValue<int>() ?? 603;
                lock (_gate)
                {
                    _rejectStatus = status;
                }

                Note($"reject: SIP {status} to the caller");
                End($"rejected with SIP {status}");
                break;
            case "refer":
                var target = (string?)body?["target_uri"] ?? "";
                lock (_gate)
                {
                    _referTarget = target;
                }

                Note($"REFER to {target}: the carrier takes the call away");
                End($"transferred to {target}");
                _ = Task.Run(async () =>
                {
                    await Task.Delay(300).ConfigureAwait(false);
                    Drop();
                });
                break;
            case "hangup":
                lock (_gate)
                {
                    _hungUp = true;
                }

                Note("hangup: the call ends");
                Drop();
                End("the gateway hung up");
                break;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    private void DescribeAccept(JsonNode? session)
    {
        var tools = session?["tools"] is JsonArray list ? string.Join(", ", list.Select(t => (string?)t?["name"])) : "";
        var audio = session?["audio"];
        var model = (string?)session?["model"];
        var voice = (string?)audio?["output"]?["voice"] ?? (string?)session?["voice"];
        var turns = (string?)audio?["input"]?["turn_detection"]?["type"] ?? "none";
        Note($"accept: model {model}, voice {voice}, turn detection {turns}, tools [{tools}]");
        if (audio?["input"]?["format"] is not null || audio?["output"]?["format"] is not null)
        {
            Problem("the accept names an audio format; on SIP the media format is negotiated");
        }

        if ((string?)session?["type"] != "realtime")
        {
            Problem("the accept's session has no type \"realtime\"");
        }
    }

    private async Task HandleSidebandAsync(HttpContext context, LocalRealtimeHost backend, CancellationToken cancellationToken)
    {
        var callId = context.Request.Query["call_id"].ToString();
        if (!string.Equals(callId, _options.CallId, StringComparison.Ordinal) || !_accepted.Task.IsCompleted)
        {
            Problem("a sideband before the accept (or for another call)");
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        using var gateway = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        using var agent = new ClientWebSocket();
        agent.Options.SetRequestHeader("Authorization", "Bearer " + backend.ApiKey);
        await agent.ConnectAsync(backend.Url, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _gateway = gateway;
            _attached = true;
        }

        Note("sideband attached");
        // The accepted session configures the agent here (the real connector applies it at accept).
        var update = new JsonObject { ["type"] = "session.update", ["session"] = (await _accepted.Task.ConfigureAwait(false)).DeepClone() };
        await SendAsync(agent, _toBackend, update.ToJsonString(), cancellationToken).ConfigureAwait(false);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var fromAgent = RelayFromAgentAsync(agent, gateway, stop.Token);
        var caller = RunCallerAsync(agent, stop.Token);
        try
        {
            await RelayFromGatewayAsync(gateway, agent, stop.Token).ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            agent.Abort();
            await Task.WhenAll(fromAgent, caller).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>The gateway's client events go to the agent as they are; the interesting ones are noted.</summary>
    private async Task RelayFromGatewayAsync(WebSocket gateway, WebSocket agent, CancellationToken cancellationToken)
    {
        try
        {
            while (await ReceiveAsync(gateway, cancellationToken).ConfigureAwait(false) is { } text)
            {
                var node = Parse(text);
                var type = (string?)node?["type"];
                var item = node?["item"];
                if (type == "response.create" && node?["response"]?["instructions"] is JsonValue instructions)
                {
                    Note("gateway asks for a response: " + Shorten(instructions.ToString()));
                }
                else if (type == "conversation.item.create" && item?["type"]?.ToString() == "function_call_output")
                {
                    var answered = item["call_id"]?.ToString();
                    var output = item["output"]?.ToString() ?? "";
                    Note($"gateway answers tool call {answered}: {Shorten(output)}");
                }
                else if (type == "session.update")
                {
                    Problem("a session.update on the sideband (the accept already configured the session)");
                }

                await SendAsync(agent, _toBackend, text, cancellationToken).ConfigureAwait(false);
            }

            Note("the gateway closed the sideband");
            End("the gateway closed the sideband");
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Dropped: by us (a hang-up, a transfer, the caller leaving), or by the gateway.
            End("the sideband dropped");
        }
    }

    /// <summary>The agent's events go to the gateway, but its audio: that plays to the caller here, and its playback is reported.</summary>
    private async Task RelayFromAgentAsync(WebSocket agent, WebSocket gateway, CancellationToken cancellationToken)
    {
        try
        {
            while (await ReceiveAsync(agent, cancellationToken).ConfigureAwait(false) is { } text)
            {
                var node = Parse(text);
                var type = (string?)node?["type"];
                var responseId = (string?)node?["response_id"] ?? (string?)node?["response"]?["id"] ?? "";
                switch (type)
                {
                    case "response.output_audio.delta":
                        if (Play(responseId, (string?)node!["delta"] ?? ""))
                        {
                            await SendAsync(gateway, _toGateway, new JsonObject { ["type"] = "output_audio_buffer.started", ["response_id"] = responseId }.ToJsonString(), cancellationToken).ConfigureAwait(false);
                        }

                        continue;
                    case "response.output_audio_transcript.done":
                        var said = (string?)node!["transcript"] ?? "";
                        lock (_gate)
                        {
                            _agentTurns.Add(said);
                        }

                        Note("agent: " + said);
                        break;
                    case "conversation.item.input_audio_transcription.completed":
                        Note("caller (transcribed): " + (string?)node!["transcript"]);
                        break;
                    case "response.function_call_arguments.done":
                        var name = (string?)node!["name"];
                        var arguments = (string?)node["arguments"];
                        var call = $"{name}({arguments})";
                        lock (_gate)
                        {
                            _toolCalls.Add(call);
                        }

                        Note("agent calls " + call);
                        break;
                    case "response.done":
                        _ = ReportPlayedOutAsync(gateway, responseId, cancellationToken);
                        break;
                    case "error":
                        Note("agent error: " + (string?)node!["error"]?["message"]);
                        break;
                }

                await SendAsync(gateway, _toGateway, text, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Queues a delta's audio for the caller (after what is already playing); true for a response's first audio.</summary>
    private bool Play(string responseId, string base64)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            Problem("an audio delta that is not base64");
            return false;
        }

        lock (_gate)
        {
            var nowMs = _clock.Elapsed.TotalMilliseconds;
            var first = !_playbacks.TryGetValue(responseId, out var playback);
            if (first)
            {
                playback = new Playback(Math.Max(nowMs, _playEndMs));
                _playbacks[responseId] = playback;
            }

            var at = (long)((playback!.StartMs + playback.AudioMs) * Rate / 1000);
            var samples = bytes.Length / 2;
            if (at + samples > _heard.Length)
            {
                Array.Resize(ref _heard, (int)Math.Max(_heard.Length * 2L, at + samples + Rate));
            }

            for (var i = 0; i < samples; i++)
            {
                _heard[at + i] = (short)(bytes[2 * i] | (bytes[(2 * i) + 1] << 8));
            }

            _heardSamples = Math.Max(_heardSamples, at + samples);
            playback.AudioMs += samples * 1000.0 / Rate;
            _playEndMs = Math.Max(_playEndMs, playback.StartMs + playback.AudioMs);
            return first;
        }
    }

    /// <summary>Once a response's audio has played out here, tells the gateway (<c>output_audio_buffer.stopped</c>).</summary>
    private async Task ReportPlayedOutAsync(WebSocket gateway, string responseId, CancellationToken cancellationToken)
    {
        double endMs;
        double audioMs;
        lock (_gate)
        {
            if (!_playbacks.TryGetValue(responseId, out var playback) || playback.AudioMs <= 0)
            {
                return;
            }

            endMs = playback.StartMs + playback.AudioMs;
            audioMs = playback.AudioMs;
        }

        try
        {
            var wait = endMs - _clock.Elapsed.TotalMilliseconds;
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(wait), cancellationToken).ConfigureAwait(false);
            }

            Note($"agent audio played out ({audioMs:0} ms)");
            await SendAsync(gateway, _toGateway, new JsonObject { ["type"] = "output_audio_buffer.stopped", ["response_id"] = responseId }.ToJsonString(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    /// <summary>The caller: silence, the clip at real-time pace (the SIP media, here to the agent), silence, then hangs up after the tail.</summary>
    private async Task RunCallerAsync(WebSocket agent, CancellationToken cancellationToken)
    {
        var clip = _options.CallerAudio ?? SimulationAudio.TestSpeech(Rate);
        var chunk = Rate * ChunkMs / 1000;
        var silence = new short[chunk];
        var attachedMs = _clock.Elapsed.TotalMilliseconds;
        var speakAtMs = attachedMs + (_options.LeadInSeconds * 1000);
        var speechEndMs = speakAtMs + (clip.Length * 1000.0 / Rate);
        var leaveAtMs = speechEndMs + (_options.TailSeconds * 1000);
        if (_options.HangUpAtSeconds is { } hangUpAt)
        {
            leaveAtMs = Math.Min(leaveAtMs, attachedMs + (hangUpAt * 1000));
        }

        var sent = 0L;
        var spoke = false;
        try
        {
            for (var frame = 0L; ; frame++)
            {
                var frameAt = attachedMs + (frame * ChunkMs);
                var wait = frameAt - _clock.Elapsed.TotalMilliseconds;
                if (wait > 1)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(wait), cancellationToken).ConfigureAwait(false);
                }

                if (frameAt >= leaveAtMs)
                {
                    Note("the caller hangs up");
                    Drop();
                    End("the caller hung up");
                    return;
                }

                ReadOnlySpan<short> samples = silence;
                if (frameAt >= speakAtMs && sent < clip.Length)
                {
                    if (!spoke)
                    {
                        spoke = true;
                        Note(string.Create(CultureInfo.InvariantCulture, $"caller speaks ({clip.Length * 1000 / Rate} ms)"));
                    }

                    var n = (int)Math.Min(chunk, clip.Length - sent);
                    samples = clip.AsSpan((int)sent, n);
                    sent += n;
                }

                var bytes = new byte[samples.Length * 2];
                for (var i = 0; i < samples.Length; i++)
                {
                    bytes[2 * i] = (byte)samples[i];
                    bytes[(2 * i) + 1] = (byte)(samples[i] >> 8);
                }

                await SendAsync(agent, _toBackend, "{\"type\":\"input_audio_buffer.append\",\"audio\":\"" + Convert.ToBase64String(bytes) + "\"}", cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    // ---- plumbing ----

    /// <summary>The caller's side goes away as SIP does: the sideband drops without a close frame.</summary>
    private void Drop()
    {
        WebSocket? gateway;
        lock (_gate)
        {
            gateway = _gateway;
            _gateway = null;
        }

        gateway?.Abort();
    }

    private void End(string how)
    {
        if (_ended.TrySetResult(how))
        {
            Note("call ended: " + how);
        }
    }

    private void Note(string text)
    {
        var line = string.Create(CultureInfo.InvariantCulture, $"{_clock.ElapsedMilliseconds,8} ms  {text}");
        _options.OnTimeline?.Invoke(line);
    }

    private void Problem(string text)
    {
        lock (_gate)
        {
            _problems.Add(text);
        }

        Note("PROBLEM: " + text);
    }

    private static JsonNode? Parse(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Shorten(string text) => text.Length > 120 ? text[..120] + "…" : text;

    private static async Task SendAsync(WebSocket socket, SemaphoreSlim gate, string text, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (socket.State == WebSocketState.Open)
            {
                await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>One whole text message, or null when the peer closed.</summary>
    private static async Task<string?> ReceiveAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                if (socket.State == WebSocketState.CloseReceived)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None).ConfigureAwait(false);
                }

                return null;
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
            }
        }
    }

    [GeneratedRegex("^/(openai/)?v1/realtime/calls/([^/]+)/(accept|reject|refer|hangup)$")]
    private static partial Regex RestPath();

    /// <summary>One response's audio at the caller: when it started playing and how long it is so far.</summary>
    private sealed class Playback(double startMs)
    {
        public double StartMs { get; } = startMs;

        public double AudioMs { get; set; }
    }
}
