using Switchboard.Configuration;
using Switchboard.LocalAgent;

namespace Switchboard.IntegrationTests.LocalBackend;

public sealed class LocalBackendResponseControlTests
{
    [Fact]
    public async Task BargeIn_SpeechDuringResponse_CancelsWithTurnDetected()
    {
        // Real-time pacing so the echo is still streaming when the caller speaks again.
        await using var host = await LocalBackendFixture.StartAsync(new LocalBackendOptions { PaceFactor = 1.0 });
        await using var client = await RealtimeTestClient.ConnectAsync(host.Url, host.ApiKey);
        await client.WaitForAsync("session.created");
        await client.SendAsync("""{"type":"session.update","session":{"type":"realtime","audio":{"input":{"format":{"type":"audio/pcmu"},"turn_detection":{"type":"server_vad"}},"output":{"format":{"type":"audio/pcmu"}}}}}""");
        await client.WaitForAsync("session.updated");

        var (first, _) = TestAudio.SilenceToneSilence(200, 1000, 700);
        await client.AppendFramesAsync(first, 160);
        var firstDelta = await client.WaitForAsync("response.output_audio.delta");
        var responseId = firstDelta.GetProperty("response_id").GetString()!;

        var (second, _) = TestAudio.SilenceToneSilence(0, 300, 700, hz: 660);
        await client.AppendFramesAsync(second, 160);

        await client.WaitForAsync("input_audio_buffer.speech_started", e => client.All("input_audio_buffer.speech_started").Count >= 2);
        var done = await client.WaitForAsync("response.done", e => e.GetProperty("response").GetProperty("id").GetString() == responseId);
        var response = done.GetProperty("response");
        Assert.Equal("cancelled", response.GetProperty("status").GetString());
        Assert.Equal("cancelled", response.GetProperty("status_details").GetProperty("type").GetString());
        Assert.Equal("turn_detected", response.GetProperty("status_details").GetProperty("reason").GetString());
        Assert.Equal("incomplete", response.GetProperty("output")[0].GetProperty("status").GetString());
        await client.WaitForAsync("response.output_audio_transcript.done", e => e.GetProperty("response_id").GetString() == responseId);

        // The interrupted echo stopped early: well under the 1.5 s it would have lasted.
        var sent = LocalBackendEchoTests.CollectAudio(client, responseId);
        Assert.True(sent.Length / 8 < 1400, $"{sent.Length / 8} ms of audio were sent");

        // The barge-in turn is answered next.
        var next = await client.WaitForAsync("response.done", e => e.GetProperty("response").GetProperty("id").GetString() != responseId, TimeSpan.FromSeconds(15));
        Assert.Equal("completed", next.GetProperty("response").GetProperty("status").GetString());
    }

    [Fact]
    public async Task ResponseCancel_DuringResponse_CancelsWithClientCancelled_ThenNothingActiveIsAnError()
    {
        await using var host = await LocalBackendFixture.StartAsync(new LocalBackendOptions { PaceFactor = 0.5 });
        await using var client = await RealtimeTestClient.ConnectAsync(host.Url, host.ApiKey);
        await client.WaitForAsync("session.created");
        await client.SendAsync("""{"type":"session.update","session":{"type":"realtime","audio":{"input":{"turn_detection":null}}}}""");
        await client.WaitForAsync("session.updated");

        await client.SendAsync("""{"type":"response.create"}""");
        var created = await client.WaitForAsync("response.created");
        Assert.Equal("in_progress", created.GetProperty("response").GetProperty("status").GetString());
        await client.SendAsync("""{"type":"response.cancel"}""");
        var done = await client.WaitForAsync("response.done");
        Assert.Equal("cancelled", done.GetProperty("response").GetProperty("status").GetString());
        Assert.Equal("client_cancelled", done.GetProperty("response").GetProperty("status_details").GetProperty("reason").GetString());

        await client.SendAsync("""{"type":"response.cancel","event_id":"evt_cancel_2"}""");
        var error = (await client.WaitForAsync("error")).GetProperty("error");
        Assert.Equal("response_cancel_not_active", error.GetProperty("code").GetString());
        Assert.Equal("evt_cancel_2", error.GetProperty("event_id").GetString());

        // Harmless: the session goes on.
        await client.SendAsync("""{"type":"response.create"}""");
        var again = await client.WaitForAsync("response.done", e => e.GetProperty("response").GetProperty("id").GetString() != done.GetProperty("response").GetProperty("id").GetString());
        Assert.Equal("completed", again.GetProperty("response").GetProperty("status").GetString());
    }

    [Fact]
    public async Task ResponseCreate_WhileActive_IsRejected()
    {
        await using var host = await LocalBackendFixture.StartAsync(new LocalBackendOptions { PaceFactor = 0.5 });
        await using var client = await RealtimeTestClient.ConnectAsync(host.Url, host.ApiKey);
        await client.WaitForAsync("session.created");
        await client.SendAsync("""{"type":"response.create"}""");
        await client.WaitForAsync("response.created");
        await client.SendAsync("""{"type":"response.create"}""");
        var error = (await client.WaitForAsync("error")).GetProperty("error");
        Assert.Equal("conversation_already_has_active_response", error.GetProperty("code").GetString());
        await client.WaitForAsync("response.done");
    }

    [Fact]
    public async Task Truncate_BeyondGeneratedAudioFails_WithinIsRecorded()
    {
        LocalRealtimeSession? session = null;
        await using var host = await LocalBackendFixture.StartAsync(new LocalBackendOptions { PaceFactor = 0 });
        host.SessionStarted = s => session = s;
        await using var client = await RealtimeTestClient.ConnectAsync(host.Url, host.ApiKey);
        await client.WaitForAsync("session.created");

        await client.SendAsync("""{"type":"response.create"}""");
        var itemDone = await client.WaitForAsync("response.output_item.done");
        await client.WaitForAsync("response.done");
        var itemId = itemDone.GetProperty("item").GetProperty("id").GetString()!;

        await client.SendAsync($$"""{"type":"conversation.item.truncate","event_id":"evt_t1","item_id":"{{itemId}}","content_index":0,"audio_end_ms":5000}""");
        var tooLong = (await client.WaitForAsync("error")).GetProperty("error");
        Assert.Equal("invalid_value", tooLong.GetProperty("code").GetString());
        Assert.Equal("Audio content of 400ms is already shorter than 5000ms", tooLong.GetProperty("message").GetString());
        Assert.Equal("evt_t1", tooLong.GetProperty("event_id").GetString());

        await client.SendAsync("""{"type":"conversation.item.truncate","item_id":"item_does_not_exist","content_index":0,"audio_end_ms":10}""");
        Assert.Equal("item_not_found", (await client.WaitForAsync("error")).GetProperty("error").GetProperty("code").GetString());

        await client.SendAsync($$"""{"type":"conversation.item.truncate","item_id":"{{itemId}}","content_index":0,"audio_end_ms":200}""");
        var truncated = await client.WaitForAsync("conversation.item.truncated");
        Assert.Equal(itemId, truncated.GetProperty("item_id").GetString());
        Assert.Equal(0, truncated.GetProperty("content_index").GetInt32());
        Assert.Equal(200, truncated.GetProperty("audio_end_ms").GetInt32());

        Assert.NotNull(session);
        var record = Assert.Single(session.Truncations);
        Assert.Equal(itemId, record.ItemId);
        Assert.Equal(200, record.AudioEndMs);
        Assert.Equal(400, record.AudioMsGenerated, 1);

        await client.SendAsync($$"""{"type":"conversation.item.retrieve","item_id":"{{itemId}}"}""");
        var retrieved = await client.WaitForAsync("conversation.item.retrieved");
        Assert.Equal("", retrieved.GetProperty("item").GetProperty("content")[0].GetProperty("transcript").GetString());
    }

    [Fact]
    public async Task Truncate_WhileStreaming_StopsFurtherAudioForTheItem()
    {
        await using var host = await LocalBackendFixture.StartAsync(new LocalBackendOptions { PaceFactor = 0.5 });
        await using var client = await RealtimeTestClient.ConnectAsync(host.Url, host.ApiKey);
        await client.WaitForAsync("session.created");
        await client.SendAsync("""{"type":"session.update","session":{"type":"realtime","audio":{"output":{"format":{"type":"audio/pcmu"}}}}}""");
        await client.WaitForAsync("session.updated");

        await client.SendAsync("""{"type":"response.create"}""");
        var delta = await client.WaitForAsync("response.output_audio.delta");
        await client.SendAsync($$"""{"type":"conversation.item.truncate","item_id":"{{delta.GetProperty("item_id").GetString()}}","content_index":0,"audio_end_ms":0}""");
        await client.WaitForAsync("conversation.item.truncated");
        var done = await client.WaitForAsync("response.done");

        // At half speed the 400 ms chime takes 800 ms; truncating at once leaves most of it unsent.
        var sent = LocalBackendEchoTests.CollectAudio(client, done.GetProperty("response").GetProperty("id").GetString()!);
        Assert.True(sent.Length / 8 < 300, $"{sent.Length / 8} ms of audio were sent after truncation");
    }
}
