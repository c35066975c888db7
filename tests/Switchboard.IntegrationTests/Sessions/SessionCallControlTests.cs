using System.Net.WebSockets;
using System.Text.Json;
using Switchboard.Agents;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.Journal;

namespace Switchboard.IntegrationTests.Sessions;

/// <summary>The built-in call-control tools in browser sessions, with the scripted local backend.</summary>
public class SessionCallControlTests
{
    private static JsonElement Payload(JsonElement m) => m.GetProperty("payload");

    private static bool IsAgentFinal(JsonElement m) =>
        m.GetProperty("type").GetString() == "transcript" && Payload(m).GetProperty("role").GetString() == "agent" && Payload(m).GetProperty("final").GetBoolean();

    [Fact]
    public async Task EndCall_TextSession_ClosesNormallyAfterTheGoodbyeTranscript()
    {
        await using var gateway = await StartAsync("goodbye.json");
        var key = await SessionApi.CreateKeyAsync(gateway);
        var endpoint = await SessionApi.CreateEndpointAsync(gateway, new AgentSpec { Tools = [new ToolSpec { Name = "end_call" }] });
        var created = await SessionApi.CreateSessionAsync(gateway, key, endpoint.Id);
        await using var client = await SessionTestClient.ConnectAsync(created.WsUrl);
        var callId = Payload(await client.WaitForTypeAsync("status")).GetProperty("callId").GetString()!;

        await client.SendTextAsync("That's all, thanks.");
        var final = await client.WaitForTypeAsync("transcript", IsAgentFinal);
        Assert.Equal("Thanks for calling. Goodbye!", Payload(final).GetProperty("text").GetString());
        Assert.Equal(1000, await client.WaitForCloseAsync());
        Assert.Equal("agent ended the conversation", client.CloseDescription);

        var events = await gateway.WaitForEndedCallAsync(callId);
        var tool = Assert.Single(events, e => e.Type == CallEventType.ToolCall);
        Assert.Equal("end_call", tool.Text);
        Assert.Equal("ok", tool.Reason);
        Assert.Equal(CallEndReason.AgentEnded, events[^1].Reason);
    }

    [Fact]
    public async Task EndCall_VoiceSession_WaitsForTheClientToReportTheGoodbyePlayed()
    {
        await using var gateway = await StartAsync("goodbye.json");
        var key = await SessionApi.CreateKeyAsync(gateway);
        var endpoint = await SessionApi.CreateEndpointAsync(gateway, new AgentSpec { Tools = [new ToolSpec { Name = "end_call" }] });
        using var response = await SessionApi.PostAsync(gateway, key, endpoint.Id, mode: "audio_playback");
        var created = JsonSerializer.Deserialize<CreatedSession>(await response.Content.ReadAsStringAsync(), JsonSerializerOptions.Web)!;
        await using var client = await SessionTestClient.ConnectAsync(created.WsUrl);
        var callId = Payload(await client.WaitForTypeAsync("status")).GetProperty("callId").GetString()!;

        await client.SendTextAsync("That's all, thanks.");
        var done = Payload(await client.WaitForTypeAsync("audio_done"));
        var itemId = done.GetProperty("itemId").GetString()!;
        var durationMs = done.GetProperty("durationMs").GetInt64();
        Assert.InRange(durationMs, 1400, 2200);

        // Halfway through is not the end; the gateway keeps the socket open until the client has played it all.
        await client.SendAsync(JsonSerializer.Serialize(new { type = "playback", payload = new { itemId, playedMs = durationMs / 2 } }));
        await Task.Delay(800);
        var reportedAt = DateTimeOffset.UtcNow;
        await client.SendAsync(JsonSerializer.Serialize(new { type = "playback", payload = new { itemId, playedMs = durationMs } }));
        Assert.Equal(1000, await client.WaitForCloseAsync());
        Assert.Equal("agent ended the conversation", client.CloseDescription);

        var events = await gateway.WaitForEndedCallAsync(callId);
        var ended = events[^1];
        Assert.Equal(CallEndReason.AgentEnded, ended.Reason);
        Assert.True(ended.At >= reportedAt, $"the session ended at {ended.At:O}, before the client reported the goodbye played ({reportedAt:O})");
    }

    private static Task<GatewayFixture> StartAsync(string scenario)
    {
        var settings = SessionApi.Settings();
        settings["Switchboard:Local:Mode"] = "Scripted";
        settings["Switchboard:Local:ScenarioPath"] = RepoFile("samples/scenarios/" + scenario);
        return GatewayFixture.StartAsync(settings);
    }

    private static string RepoFile(string relative) => RepoPaths.File(relative);
}
