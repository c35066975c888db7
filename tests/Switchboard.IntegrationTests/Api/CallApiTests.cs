using System.Net;
using System.Text.Json;
using Switchboard.Cli.Simulation;
using Switchboard.Control;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.Journal;

namespace Switchboard.IntegrationTests.Api;

/// <summary><c>/api/v1/calls</c> after a real call: a simulated Twilio caller through the gateway and the local echo agent.</summary>
public class CallApiTests
{
    [Fact]
    public async Task SimulatedCall_IsListedWithTranscriptAndEvents()
    {
        var api = new ApiGateway();
        await api.InitializeAsync();
        try
        {
            var result = await CallSimulator.RunAsync(new SimulationOptions
            {
                Url = api.Gateway.WebSocketUrl("/twilio"),
                Carrier = CarrierKind.Twilio,
                CallerAudio = CallTestAudio.Speech(),
                TailSeconds = 3,
            });
            var journal = await api.Gateway.WaitForEndedCallAsync();
            Assert.Contains(journal, e => e.Type == CallEventType.AgentTurn);

            using var http = api.Client(await api.CreateKeyAsync(ApiScopes.ReadCalls));
            using var list = await http.GetAsync("/api/v1/calls");
            var listed = await ApiGateway.ReadJsonAsync(list, HttpStatusCode.OK);
            var call = Assert.Single(listed.GetProperty("calls").EnumerateArray());
            var id = call.GetProperty("id").GetString()!;
            Assert.Equal(journal[0].CallId, id);
            Assert.Equal("twilio", call.GetProperty("channel").GetString());
            Assert.Equal(result.Identity.CallId, call.GetProperty("carrierCallId").GetString());
            Assert.Equal(api.DefaultEndpointId, call.GetProperty("endpointId").GetGuid());
            Assert.Equal(CallEndReason.CallerHangup, call.GetProperty("endReason").GetString());
            Assert.NotEqual(JsonValueKind.Null, call.GetProperty("endedAt").ValueKind);
            Assert.Equal(journal.Count, call.GetProperty("eventCount").GetInt64());

            using var detailResponse = await http.GetAsync($"/api/v1/calls/{id}");
            var detail = await ApiGateway.ReadJsonAsync(detailResponse, HttpStatusCode.OK);
            Assert.Equal(id, detail.GetProperty("id").GetString());
            Assert.Equal("twilio", detail.GetProperty("channel").GetString());

            var transcript = detail.GetProperty("transcript").EnumerateArray().ToList();
            Assert.Equal(2, transcript.Count);
            Assert.Equal("caller", transcript[0].GetProperty("role").GetString());
            Assert.Matches(@"^\(\d+\.\d s of speech\)$", transcript[0].GetProperty("text").GetString());
            Assert.Equal("agent", transcript[1].GetProperty("role").GetString());
            Assert.Equal("(echo)", transcript[1].GetProperty("text").GetString());
            Assert.False(transcript[1].GetProperty("interrupted").GetBoolean());
            Assert.Equal(JsonValueKind.Null, transcript[1].GetProperty("heardMs").ValueKind);

            var events = detail.GetProperty("events").EnumerateArray().ToList();
            Assert.Equal(journal.Count, events.Count);
            Assert.Equal(journal.Select(e => e.Sequence), events.Select(e => e.GetProperty("sequence").GetInt64()));
            Assert.Equal("CallStarted", events[0].GetProperty("type").GetString());
            Assert.Equal("twilio", events[0].GetProperty("data").GetProperty("carrier").GetString());
            Assert.Equal("CallEnded", events[^1].GetProperty("type").GetString());
            Assert.Equal(CallEndReason.CallerHangup, events[^1].GetProperty("reason").GetString());
            Assert.False(events[0].TryGetProperty("digit", out _));

            // Another team sees none of it.
            using var other = api.Client(await api.CreateKeyAsync(ApiScopes.ReadCalls, await api.CreateTeamAsync()));
            using var otherList = await other.GetAsync("/api/v1/calls");
            Assert.Equal(0, (await ApiGateway.ReadJsonAsync(otherList, HttpStatusCode.OK)).GetProperty("calls").GetArrayLength());
            using var otherDetail = await other.GetAsync($"/api/v1/calls/{id}");
            await ApiGateway.ReadProblemAsync(otherDetail, HttpStatusCode.NotFound);
        }
        finally
        {
            await api.DisposeAsync();
        }
    }
}
