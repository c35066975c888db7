using Switchboard.Agents;
using Switchboard.IntegrationTests.Gateway;
using static Switchboard.IntegrationTests.Sessions.VoiceSession;

namespace Switchboard.IntegrationTests.Sessions;

/// <summary>
/// Typed turns in a voice conversation: while the agent is still answering a spoken turn (a response the backend
/// started by itself), a typed turn waits for that response to end instead of asking the backend for a second response
/// at the same time, which realtime backends refuse (<c>conversation_already_has_active_response</c>).
/// </summary>
public class VoiceTurnTests
{
    [Fact]
    public async Task TypedTurnDuringASpokenAnswer_WaitsForTheResponseToEnd()
    {
        await using var voice = await VoiceSession.StartAsync(InteractionModes.VoiceConversation);
        // The user spoke; the backend's voice detection started a response, and its audio is flowing.
        await voice.Backend.SpeechStartedAsync(0);
        await voice.Backend.SpeechStoppedAsync(900);
        await voice.Backend.ResponseCreatedAsync("resp_vad");
        await voice.Backend.AudioDeltaAsync("resp_vad", "item_v", 100);
        await voice.Client.WaitForTypeAsync("audio");

        await voice.Client.SendTextAsync("and one more thing");
        await voice.Client.WaitForTypeAsync("transcript", m => Payload(m).GetProperty("role").GetString() == "user");
        // Microphone audio sent after the text reaches the backend after anything the text caused.
        await voice.Client.SendAsync(VoiceAudio.Message(new byte[960], 24000));
        await voice.Backend.WaitForAsync("input_audio_buffer.append");
        Assert.DoesNotContain(voice.Backend.Received, e => (string?)e["type"] == "response.create");

        await voice.Backend.TranscriptDoneAsync("resp_vad", "item_v", "Sure.");
        await voice.Backend.ResponseDoneAsync("resp_vad");

        var item = await voice.Backend.WaitForAsync("conversation.item.create");
        Assert.Equal("and one more thing", (string?)item["item"]!["content"]![0]!["text"]);
        var create = await voice.Backend.WaitForAsync("response.create");
        Assert.True(voice.Backend.IndexOf(item) < voice.Backend.IndexOf(create));
        await voice.SyncClientAsync();
        Assert.DoesNotContain(voice.Client.Received, m => Type(m) == "error");
    }

    [Fact]
    public async Task TypedTurnDuringTheLocalEcho_IsAnsweredAfterIt()
    {
        var settings = SessionApi.Settings();
        settings["Switchboard:Local:PaceFactor"] = "1";
        await using var gateway = await GatewayFixture.StartAsync(settings);
        var key = await SessionApi.CreateKeyAsync(gateway);
        var created = await SessionApi.CreateSessionAsync(gateway, key, mode: InteractionModes.VoiceConversation);
        await using var client = await SessionTestClient.ConnectAsync(created.WsUrl);
        await client.WaitForTypeAsync("status", m => IsStatus(m, "idle"));
        await VoiceAudio.StreamAsync(client, [.. VoiceAudio.Speech(24000, 1500), .. VoiceAudio.Silence(24000, 700)], 24000);
        // The echo streams in real time: the typed turn arrives while it plays.
        await client.WaitForTypeAsync("audio");

        await client.SendTextAsync("typed while you speak");

        var echo = await client.WaitForTypeAsync("transcript", m => IsAgentFinal(m) && Payload(m).GetProperty("text").GetString() == "(echo)");
        var answer = await client.WaitForTypeAsync("transcript", m => IsAgentFinal(m), TimeSpan.FromSeconds(15));
        Assert.Equal("(echo) typed while you speak", Payload(answer).GetProperty("text").GetString());
        Assert.True(Seq(echo) < Seq(answer));
        Assert.DoesNotContain(client.Received, m => Type(m) == "error");
    }
}
