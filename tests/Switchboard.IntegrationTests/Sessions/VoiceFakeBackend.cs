using System.Text.Json.Nodes;
using Switchboard.Testing.Realtime;

namespace Switchboard.IntegrationTests.Sessions;

/// <summary>
/// A <see cref="FakeRealtimeBackend"/> that the test drives by hand, for the voice modes: it records every event the
/// gateway sends (microphone appends included) and lets the test wait for one, and it sends whatever server events the
/// test gives it (agent audio deltas, <c>speech_started</c>, function calls, <c>response.done</c>) on the latest
/// connection. Nothing is answered on its own apart from <c>session.created</c> on connect.
/// </summary>
internal sealed class VoiceFakeBackend : IAsyncDisposable
{
    private readonly FakeRealtimeBackend _backend;

    private VoiceFakeBackend(FakeRealtimeBackend backend) => _backend = backend;

    public string RealtimeUrl => _backend.RealtimeUrl;

    /// <summary>Every event received so far, in order.</summary>
    public IReadOnlyList<JsonNode> Received => _backend.Received;

    /// <summary>Gateway settings that point a gateway at this backend.</summary>
    public Dictionary<string, string?> GatewaySettings()
    {
        var settings = SessionApi.Settings();
        settings["Switchboard:Backend:Kind"] = "OpenAI";
        settings["Switchboard:OpenAI:ApiKey"] = "sk-test-key";
        settings["Switchboard:OpenAI:RealtimeUrl"] = RealtimeUrl;
        return settings;
    }

    public static async Task<VoiceFakeBackend> StartAsync() => new(await FakeRealtimeBackend.StartAsync());

    /// <inheritdoc cref="FakeRealtimeBackend.WaitForAsync"/>
    public Task<JsonNode> WaitForAsync(string type, Func<JsonNode, bool>? also = null, TimeSpan? timeout = null) => _backend.WaitForAsync(type, also, timeout);

    /// <summary>The index of <paramref name="node"/> among the received events (to compare orders).</summary>
    public int IndexOf(JsonNode node) => _backend.IndexOf(node);

    /// <summary>The audio bytes of every <c>input_audio_buffer.append</c> received so far, concatenated.</summary>
    public byte[] AppendedAudio() =>
        Received.Where(e => (string?)e["type"] == "input_audio_buffer.append")
            .SelectMany(e => Convert.FromBase64String((string)e["audio"]!))
            .ToArray();

    // Agent-side helpers: the GA events a model streams.

    public Task ResponseCreatedAsync(string responseId) => SendAsync(ServerEvents.ResponseCreated(responseId));

    /// <summary>Sends <paramref name="ms"/> of 24 kHz PCM16 (a 300 Hz tone) as one <c>response.output_audio.delta</c>.</summary>
    public Task AudioDeltaAsync(string responseId, string itemId, int ms) =>
        SendAsync(ServerEvents.OutputAudioDelta(responseId, itemId, VoiceAudio.Tone(24000, ms, 300)));

    public Task AudioDoneAsync(string responseId, string itemId) => SendAsync(ServerEvents.OutputAudioDone(responseId, itemId));

    public Task TranscriptDeltaAsync(string responseId, string itemId, string delta) =>
        SendAsync(ServerEvents.OutputAudioTranscriptDelta(responseId, itemId, delta));

    public Task TranscriptDoneAsync(string responseId, string itemId, string transcript) =>
        SendAsync(ServerEvents.OutputAudioTranscriptDone(responseId, itemId, transcript));

    public Task ResponseDoneAsync(string responseId, string status = "completed") => SendAsync(ServerEvents.ResponseDone(responseId, status, usage: (0, 0)));

    public Task SpeechStartedAsync(long audioStartMs = 0) => SendAsync(ServerEvents.SpeechStarted(audioStartMs, "item_user_" + audioStartMs));

    public Task SpeechStoppedAsync(long audioEndMs) => SendAsync(ServerEvents.SpeechStopped(audioEndMs, "item_user_" + audioEndMs));

    public Task FunctionCallAsync(string responseId, string callId, string name, string arguments) =>
        SendAsync(ServerEvents.FunctionCallArgumentsDone(responseId, callId, name, arguments));

    public ValueTask DisposeAsync() => _backend.DisposeAsync();

    // On the latest connection, waiting for it if needed; the backend adds the event_id.
    private Task SendAsync(JsonObject serverEvent) => _backend.SendAsync(serverEvent);
}
