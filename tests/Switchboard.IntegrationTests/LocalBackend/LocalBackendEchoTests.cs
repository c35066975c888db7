using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Switchboard.Configuration;

namespace Switchboard.IntegrationTests.LocalBackend;

public sealed partial class LocalBackendEchoTests
{
    private const string PcmuServerVad = """
        {"type":"session.update","session":{"type":"realtime","output_modalities":["audio"],
         "audio":{"input":{"format":{"type":"audio/pcmu"},"transcription":{"model":"gpt-4o-mini-transcribe"},
                           "turn_detection":{"type":"server_vad","silence_duration_ms":500,"prefix_padding_ms":300}},
                  "output":{"format":{"type":"audio/pcmu"},"voice":"marin"}}}}
        """;

    [Fact]
    public async Task ServerVad_ToneBetweenSilences_DetectsTurnTranscribesHonestlyAndEchoesIt()
    {
        await using var host = await LocalBackendFixture.StartAsync(new LocalBackendOptions { PaceFactor = 0 });
        await using var client = await RealtimeTestClient.ConnectAsync(host.Url, host.ApiKey);
        await client.WaitForAsync("session.created");
        await client.SendAsync(PcmuServerVad);
        await client.WaitForAsync("session.updated");

        var (mulaw, pcm) = TestAudio.SilenceToneSilence(500, 1000, 1000);
        await client.AppendFramesAsync(mulaw, 160);

        var started = await client.WaitForAsync("input_audio_buffer.speech_started");
        var stopped = await client.WaitForAsync("input_audio_buffer.speech_stopped");
        var committed = await client.WaitForAsync("input_audio_buffer.committed");
        var audioStartMs = started.GetProperty("audio_start_ms").GetInt32();
        var audioEndMs = stopped.GetProperty("audio_end_ms").GetInt32();
        Assert.InRange(audioStartMs, 180, 220); // 500 ms onset minus 300 ms prefix padding
        Assert.InRange(audioEndMs, 1480, 1520);
        var itemId = started.GetProperty("item_id").GetString();
        Assert.StartsWith("item_", itemId, StringComparison.Ordinal);
        Assert.Equal(itemId, stopped.GetProperty("item_id").GetString());
        Assert.Equal(itemId, committed.GetProperty("item_id").GetString());

        var added = await client.WaitForAsync("conversation.item.added", e => e.GetProperty("item").GetProperty("id").GetString() == itemId);
        var content = added.GetProperty("item").GetProperty("content")[0];
        Assert.Equal("user", added.GetProperty("item").GetProperty("role").GetString());
        Assert.Equal("input_audio", content.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Null, content.GetProperty("transcript").ValueKind);
        await client.WaitForAsync("conversation.item.done", e => e.GetProperty("item").GetProperty("id").GetString() == itemId);

        var transcription = await client.WaitForAsync("conversation.item.input_audio_transcription.completed");
        Assert.Equal(itemId, transcription.GetProperty("item_id").GetString());
        var match = SpeechDuration().Match(transcription.GetProperty("transcript").GetString()!);
        Assert.True(match.Success, transcription.GetProperty("transcript").GetString());
        Assert.InRange(double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), 0.9, 1.1);
        Assert.Equal("duration", transcription.GetProperty("usage").GetProperty("type").GetString());

        var done = await client.WaitForAsync("response.done");
        var response = done.GetProperty("response");
        Assert.Equal("completed", response.GetProperty("status").GetString());
        Assert.Equal("realtime.response", response.GetProperty("object").GetString());
        Assert.Equal(0, response.GetProperty("usage").GetProperty("total_tokens").GetInt32());
        var output = response.GetProperty("output")[0];
        Assert.Equal("assistant", output.GetProperty("role").GetString());
        Assert.Equal("(echo)", output.GetProperty("content")[0].GetProperty("transcript").GetString());

        var echoed = TestAudio.DecodeMuLaw(CollectAudio(client, response.GetProperty("id").GetString()!));
        var echoedMs = echoed.Length / 8.0;
        Assert.InRange(echoedMs, audioEndMs - audioStartMs - 60, audioEndMs - audioStartMs + 60);
        var original = pcm.AsSpan(audioStartMs * 8, Math.Min(echoed.Length, pcm.Length - (audioStartMs * 8)));
        Assert.True(TestAudio.Correlation(echoed.AsSpan(0, original.Length), original) > 0.95, "echo does not match the caller's audio");

        AssertResponseEventOrder(client, response.GetProperty("id").GetString()!);
    }

    [Fact]
    public async Task ServerVad_PcmuInPcmOut_TranscodesEchoTo24kPcm()
    {
        await using var host = await LocalBackendFixture.StartAsync(new LocalBackendOptions { PaceFactor = 0 });
        await using var client = await RealtimeTestClient.ConnectAsync(host.Url, host.ApiKey);
        await client.WaitForAsync("session.created");
        await client.SendAsync("""{"type":"session.update","session":{"type":"realtime","audio":{"input":{"format":{"type":"audio/pcmu"}},"output":{"format":{"type":"audio/pcm","rate":24000}}}}}""");
        await client.WaitForAsync("session.updated");

        var (mulaw, _) = TestAudio.SilenceToneSilence(500, 1000, 1000);
        await client.AppendFramesAsync(mulaw, 160);
        var started = await client.WaitForAsync("input_audio_buffer.speech_started");
        var stopped = await client.WaitForAsync("input_audio_buffer.speech_stopped");
        var done = await client.WaitForAsync("response.done");
        Assert.Empty(client.All("conversation.item.input_audio_transcription.completed")); // transcription is off by default

        var echoed = TestAudio.DecodePcm16(CollectAudio(client, done.GetProperty("response").GetProperty("id").GetString()!));
        var expectedMs = stopped.GetProperty("audio_end_ms").GetInt32() - started.GetProperty("audio_start_ms").GetInt32();
        Assert.InRange(echoed.Length / 24.0, expectedMs - 60, expectedMs + 60);

        // The tone starts 300 ms into the echo (prefix padding); look at its middle.
        var middle = echoed.AsSpan(24 * 400, 24 * 700);
        Assert.True(TestAudio.ToneShare(middle, 24000, 440) > 0.9, "echoed audio is not the 440 Hz tone");
    }

    [Fact]
    public async Task ManualTurns_CommitThenResponseCreate_EchoesTheBuffer()
    {
        await using var host = await LocalBackendFixture.StartAsync();
        await using var client = await RealtimeTestClient.ConnectAsync(host.Url, host.ApiKey);
        await client.WaitForAsync("session.created");
        await client.SendAsync("""{"type":"session.update","session":{"type":"realtime","audio":{"input":{"format":{"type":"audio/pcmu"},"turn_detection":null,"transcription":{"model":"whisper-1"}},"output":{"format":{"type":"audio/pcmu"}}}}}""");
        await client.WaitForAsync("session.updated");

        var (mulaw, pcm) = TestAudio.SilenceToneSilence(0, 600, 400);
        await client.AppendFramesAsync(mulaw, 160);
        await client.SendAsync("""{"type":"input_audio_buffer.commit"}""");
        var committed = await client.WaitForAsync("input_audio_buffer.committed");
        var transcription = await client.WaitForAsync("conversation.item.input_audio_transcription.completed");
        Assert.Equal("(1.0 s of audio)", transcription.GetProperty("transcript").GetString());
        Assert.Equal(committed.GetProperty("item_id").GetString(), transcription.GetProperty("item_id").GetString());
        Assert.Empty(client.All("input_audio_buffer.speech_started"));
        Assert.Empty(client.All("response.created")); // a commit does not create a response

        await client.SendAsync("""{"type":"response.create"}""");
        var done = await client.WaitForAsync("response.done");
        var echoed = TestAudio.DecodeMuLaw(CollectAudio(client, done.GetProperty("response").GetProperty("id").GetString()!));
        Assert.Equal(pcm.Length, echoed.Length);
        Assert.True(TestAudio.Correlation(echoed, pcm) > 0.95);

        await client.SendAsync("""{"type":"input_audio_buffer.append","audio":"AAAA"}""");
        await client.SendAsync("""{"type":"input_audio_buffer.clear"}""");
        await client.WaitForAsync("input_audio_buffer.cleared");
    }

    [Fact]
    public async Task SemanticVad_WithoutInterrupt_DetectsTurnsAndLetsTheResponseFinish()
    {
        await using var host = await LocalBackendFixture.StartAsync(new LocalBackendOptions { PaceFactor = 1.0 });
        await using var client = await RealtimeTestClient.ConnectAsync(host.Url, host.ApiKey);
        await client.WaitForAsync("session.created");
        await client.SendAsync("""{"type":"session.update","session":{"type":"realtime","audio":{"input":{"format":{"type":"audio/pcmu"},"turn_detection":{"type":"semantic_vad","eagerness":"high","interrupt_response":false}},"output":{"format":{"type":"audio/pcmu"}}}}}""");
        var updated = await client.WaitForAsync("session.updated");
        Assert.Equal("semantic_vad", updated.GetProperty("session").GetProperty("audio").GetProperty("input").GetProperty("turn_detection").GetProperty("type").GetString());

        var (first, _) = TestAudio.SilenceToneSilence(100, 800, 400);
        await client.AppendFramesAsync(first, 160);
        var firstDelta = await client.WaitForAsync("response.output_audio.delta");
        var (second, _) = TestAudio.SilenceToneSilence(0, 300, 400);
        await client.AppendFramesAsync(second, 160);
        await client.WaitForAsync("input_audio_buffer.speech_started", e => client.All("input_audio_buffer.speech_started").Count >= 2);

        var firstDone = await client.WaitForAsync("response.done", e => e.GetProperty("response").GetProperty("id").GetString() == firstDelta.GetProperty("response_id").GetString());
        Assert.Equal("completed", firstDone.GetProperty("response").GetProperty("status").GetString());
        var secondDone = await client.WaitForAsync("response.done", e => e.GetProperty("response").GetProperty("id").GetString() != firstDelta.GetProperty("response_id").GetString(), TimeSpan.FromSeconds(15));
        Assert.Equal("completed", secondDone.GetProperty("response").GetProperty("status").GetString());
    }

    [Fact]
    public async Task TextModality_UserText_EchoesText()
    {
        await using var host = await LocalBackendFixture.StartAsync();
        await using var client = await RealtimeTestClient.ConnectAsync(host.Url, host.ApiKey);
        await client.WaitForAsync("session.created");
        await client.SendAsync("""{"type":"session.update","session":{"type":"realtime","output_modalities":["text"],"audio":{"input":{"turn_detection":null}}}}""");
        await client.WaitForAsync("session.updated");

        await client.SendAsync("""{"type":"conversation.item.create","item":{"type":"message","role":"user","content":[{"type":"input_text","text":"Hello there"}]}}""");
        var added = await client.WaitForAsync("conversation.item.added");
        Assert.Equal("Hello there", added.GetProperty("item").GetProperty("content")[0].GetProperty("text").GetString());
        await client.WaitForAsync("conversation.item.done");

        await client.SendAsync("""{"type":"response.create"}""");
        var part = await client.WaitForAsync("response.content_part.added");
        Assert.Equal("output_text", part.GetProperty("part").GetProperty("type").GetString());
        var text = await client.WaitForAsync("response.output_text.done");
        Assert.Equal("(echo) Hello there", text.GetProperty("text").GetString());
        var deltas = client.All("response.output_text.delta").Select(d => d.GetProperty("delta").GetString()).ToList();
        Assert.Equal(["(echo) ", "Hello ", "there"], deltas);
        var done = await client.WaitForAsync("response.done");
        Assert.Equal("text", done.GetProperty("response").GetProperty("output_modalities")[0].GetString());
        Assert.Equal("output_text", done.GetProperty("response").GetProperty("output")[0].GetProperty("content")[0].GetProperty("type").GetString());
        Assert.Empty(client.All("response.output_audio.delta"));
    }

    [Fact]
    public async Task ResponseCreate_WithoutCallerAudio_PlaysChime()
    {
        await using var host = await LocalBackendFixture.StartAsync();
        await using var client = await RealtimeTestClient.ConnectAsync(host.Url, host.ApiKey);
        await client.WaitForAsync("session.created");
        await client.SendAsync("""{"type":"session.update","session":{"type":"realtime","audio":{"output":{"format":{"type":"audio/pcmu"}}}}}""");
        await client.WaitForAsync("session.updated");

        await client.SendAsync("""{"type":"response.create"}""");
        var done = await client.WaitForAsync("response.done");
        var id = done.GetProperty("response").GetProperty("id").GetString()!;
        Assert.StartsWith("resp_", id, StringComparison.Ordinal);
        Assert.Equal("(chime)", (await client.WaitForAsync("response.output_audio_transcript.done")).GetProperty("transcript").GetString());
        var audio = CollectAudio(client, id);
        Assert.InRange(audio.Length / 8, 390, 410); // the 400 ms chime, in 20 ms deltas
        Assert.All(client.All("response.output_audio.delta").SkipLast(1), d => Assert.Equal(160, Convert.FromBase64String(d.GetProperty("delta").GetString()!).Length));
    }

    [Fact]
    public async Task Pacing_RealTime_TakesAboutTheAudioDuration()
    {
        await using var host = await LocalBackendFixture.StartAsync(new LocalBackendOptions { PaceFactor = 1.0 });
        await using var client = await RealtimeTestClient.ConnectAsync(host.Url, host.ApiKey);
        await client.WaitForAsync("session.created");

        var started = DateTime.UtcNow;
        await client.SendAsync("""{"type":"response.create"}""");
        await client.WaitForAsync("response.done");
        var elapsed = DateTime.UtcNow - started;

        // 400 ms of chime: the last delta is due 380 ms after the first.
        Assert.True(elapsed >= TimeSpan.FromMilliseconds(350), $"streamed in {elapsed.TotalMilliseconds} ms");
    }

    internal static byte[] CollectAudio(RealtimeTestClient client, string responseId)
    {
        var bytes = new List<byte>();
        foreach (var delta in client.All("response.output_audio.delta").Where(d => d.GetProperty("response_id").GetString() == responseId))
        {
            Assert.Equal(0, delta.GetProperty("content_index").GetInt32());
            bytes.AddRange(Convert.FromBase64String(delta.GetProperty("delta").GetString()!));
        }

        return [.. bytes];
    }

    private static void AssertResponseEventOrder(RealtimeTestClient client, string responseId)
    {
        var types = client.Received
            .Where(e => e.TryGetProperty("response_id", out var r) ? r.GetString() == responseId
                : e.TryGetProperty("response", out var resp) && resp.GetProperty("id").GetString() == responseId)
            .Select(e => e.GetProperty("type").GetString())
            .Where(t => t is not ("response.output_audio.delta" or "response.output_audio_transcript.delta"))
            .ToList();
        Assert.Equal(
            [
                "response.created", "response.output_item.added", "response.content_part.added", "response.output_audio_transcript.done",
                "response.output_audio.done", "response.content_part.done", "response.output_item.done", "response.done",
            ],
            types);
    }

    [GeneratedRegex(@"^\((\d+\.\d) s of speech\)$")]
    private static partial Regex SpeechDuration();
}
