using System.Net;
using System.Text.Json;
using Switchboard.Control;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.IntegrationTests.Sessions;

namespace Switchboard.IntegrationTests.Telemetry;

/// <summary>
/// The routes the operations page reads, on a real gateway: the summary shows the key's team's live calls with their
/// state and nothing of another team's; the feed streams the team's transcript as it is journalled; READ_CALLS is needed.
/// </summary>
public class OpsApiTests
{
    private static HttpClient Client(GatewayFixture gateway, string key)
    {
        var http = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("X-API-Key", key);
        return http;
    }

    private static async Task<JsonElement> SummaryAsync(HttpClient http)
    {
        using var response = await http.GetAsync("/api/v1/ops/summary");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    [Fact]
    public async Task SummaryFeedAndTranscript_ShowTheTeamsLiveCall_AndNothingToAnotherTeam()
    {
        await using var gateway = await GatewayFixture.StartAsync(SessionApi.Settings());
        using var reader = Client(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.ReadCalls));
        var otherTeam = await SessionApi.CreateTeamAsync(gateway);
        using var stranger = Client(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.ReadCalls, otherTeam.Id));
        using var tokensOnly = Client(gateway, await SessionApi.CreateKeyAsync(gateway));

        // The feed, opened before the call: it must carry the call's start, its turns and its end.
        using var feedResponse = await reader.GetAsync("/api/v1/ops/feed", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", feedResponse.Content.Headers.ContentType?.MediaType);
        using var feed = new StreamReader(await feedResponse.Content.ReadAsStreamAsync());
        using var strangerFeed = await stranger.GetAsync("/api/v1/ops/feed", HttpCompletionOption.ResponseHeadersRead);
        using var strangerLines = new StreamReader(await strangerFeed.Content.ReadAsStreamAsync());

        var created = await SessionApi.CreateSessionAsync(gateway, await SessionApi.CreateKeyAsync(gateway));
        await using var client = await SessionTestClient.ConnectAsync(created.WsUrl);
        var callId = (await client.WaitForTypeAsync("status")).GetProperty("payload").GetProperty("callId").GetString()!;
        await client.SendTextAsync("Is my order on its way?");

        var seen = new List<string>();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15)))
        {
            while (!seen.Any(l => l.Contains("\"role\":\"agent\"", StringComparison.Ordinal)))
            {
                var line = await feed.ReadLineAsync(timeout.Token);
                Assert.NotNull(line);
                if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    seen.Add(line);
                }
            }
        }

        Assert.Contains(seen, l => l.Contains($"\"callId\":\"{callId}\"", StringComparison.Ordinal) && l.Contains("\"event\":\"started\"", StringComparison.Ordinal));
        Assert.Contains(seen, l => l.Contains("\"role\":\"caller\"", StringComparison.Ordinal) && l.Contains("Is my order on its way?", StringComparison.Ordinal));

        var summary = await SummaryAsync(reader);
        var call = Assert.Single(summary.GetProperty("calls").EnumerateArray());
        Assert.Equal(callId, call.GetProperty("id").GetString());
        Assert.Equal("websocket", call.GetProperty("channel").GetString());
        Assert.Contains(call.GetProperty("state").GetString(), new[] { "listening", "thinking", "speaking" });
        Assert.Equal("ok", summary.GetProperty("node").GetProperty("status").GetString());
        Assert.False(summary.GetProperty("node").GetProperty("draining").GetBoolean());

        using (var transcript = await reader.GetAsync($"/api/v1/ops/calls/{callId}/transcript"))
        {
            var turns = JsonDocument.Parse(await transcript.Content.ReadAsStringAsync()).RootElement.GetProperty("transcript");
            Assert.Equal("Is my order on its way?", turns[0].GetProperty("text").GetString());
        }

        // Another team: no call, no transcript, and its feed got nothing but the opening comment.
        Assert.Empty((await SummaryAsync(stranger)).GetProperty("calls").EnumerateArray());
        using (var theirs = await stranger.GetAsync($"/api/v1/ops/calls/{callId}/transcript"))
        {
            Assert.Equal(HttpStatusCode.NotFound, theirs.StatusCode);
        }

        using (var quiet = new CancellationTokenSource(TimeSpan.FromMilliseconds(500)))
        {
            Assert.StartsWith(":", await strangerLines.ReadLineAsync(quiet.Token), StringComparison.Ordinal);
            Assert.Equal("", await strangerLines.ReadLineAsync(quiet.Token));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await strangerLines.ReadLineAsync(quiet.Token));
        }

        // READ_CALLS is needed.
        using var denied = await tokensOnly.GetAsync("/api/v1/ops/summary");
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
    }
}
