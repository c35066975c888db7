using System.Text.Json;
using Switchboard.Configuration;
using Switchboard.LocalAgent.Hosting;
using Switchboard.LocalAgent.Scenarios;

namespace Switchboard.IntegrationTests.LocalBackend;

public sealed class LocalBackendScriptedTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("switchboard-local-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Scenario_FunctionCall_ThenFollowUpAfterOutput()
    {
        var path = Path.Combine(_directory, "orders.json");
        await File.WriteAllTextAsync(path, """
            {
              "name": "order lookup",
              "greeting": { "text": "Hello from the scripted test agent.", "audio": "tone" },
              "turns": [
                { "function_call": { "name": "lookup_order", "arguments": { "order_id": "A-42" } },
                  "then": { "text": "Your order A-42 ships tomorrow.", "audio": "tone" } },
                { "text": "Goodbye.", "audio": "chime" }
              ],
              "after_last_turn": "silence"
            }
            """);
        await using var host = await LocalBackendFixture.StartAsync(new LocalBackendOptions { Mode = LocalAgentMode.Scripted, ScenarioPath = path, PaceFactor = 0 });
        await using var client = await RealtimeTestClient.ConnectAsync(host.Url, host.ApiKey);
        await client.WaitForAsync("session.created");
        await client.SendAsync("""{"type":"session.update","session":{"type":"realtime","audio":{"input":{"format":{"type":"audio/pcmu"},"turn_detection":null},"output":{"format":{"type":"audio/pcmu"}}}}}""");
        await client.WaitForAsync("session.updated");

        // Greeting: the first response before any caller input.
        await client.SendAsync("""{"type":"response.create"}""");
        var greeting = await client.WaitForAsync("response.output_audio_transcript.done");
        Assert.Equal("Hello from the scripted test agent.", greeting.GetProperty("transcript").GetString());
        var greetingDone = await client.WaitForAsync("response.done");
        var toneMs = LocalBackendEchoTests.CollectAudio(client, greetingDone.GetProperty("response").GetProperty("id").GetString()!).Length / 8;
        Assert.InRange(toneMs, 2000, 2200); // 35 characters at ~60 ms each

        // The caller asks; the script answers with a function call.
        await client.SendAsync("""{"type":"conversation.item.create","item":{"type":"message","role":"user","content":[{"type":"input_text","text":"Where is my order?"}]}}""");
        await client.WaitForAsync("conversation.item.done");
        await client.SendAsync("""{"type":"response.create"}""");
        var itemAdded = await client.WaitForAsync("response.output_item.added", e => e.GetProperty("item").GetProperty("type").GetString() == "function_call");
        Assert.Equal("lookup_order", itemAdded.GetProperty("item").GetProperty("name").GetString());
        Assert.Equal("", itemAdded.GetProperty("item").GetProperty("arguments").GetString());
        var argumentsDone = await client.WaitForAsync("response.function_call_arguments.done");
        Assert.Equal("lookup_order", argumentsDone.GetProperty("name").GetString());
        var callId = argumentsDone.GetProperty("call_id").GetString()!;
        Assert.StartsWith("call_", callId, StringComparison.Ordinal);
        using (var arguments = JsonDocument.Parse(argumentsDone.GetProperty("arguments").GetString()!))
        {
            Assert.Equal("A-42", arguments.RootElement.GetProperty("order_id").GetString());
        }

        Assert.Equal(0, argumentsDone.GetProperty("output_index").GetInt32());
        Assert.Equal(itemAdded.GetProperty("item").GetProperty("id").GetString(), argumentsDone.GetProperty("item_id").GetString());
        var callDone = await client.WaitForAsync("response.done", e => e.GetProperty("response").GetProperty("output")[0].GetProperty("type").GetString() == "function_call");
        Assert.Equal("completed", callDone.GetProperty("response").GetProperty("status").GetString());
        Assert.Equal(callId, callDone.GetProperty("response").GetProperty("output")[0].GetProperty("call_id").GetString());

        // An out-of-band response does not advance the script.
        await client.SendAsync("""{"type":"response.create","response":{"conversation":"none","output_modalities":["text"],"metadata":{"purpose":"summary"}}}""");
        var outOfBand = await client.WaitForAsync("response.done", e => e.GetProperty("response").GetProperty("metadata").ValueKind == JsonValueKind.Object);
        Assert.Equal("summary", outOfBand.GetProperty("response").GetProperty("metadata").GetProperty("purpose").GetString());
        Assert.Equal(JsonValueKind.Null, outOfBand.GetProperty("response").GetProperty("conversation_id").ValueKind);

        // The gateway returns the function's output; the follow-up is spoken.
        await client.SendAsync($$$"""{"type":"conversation.item.create","item":{"type":"function_call_output","call_id":"{{{callId}}}","output":"{\"status\":\"shipped\"}"}}""");
        await client.WaitForAsync("conversation.item.done", e => e.GetProperty("item").GetProperty("type").GetString() == "function_call_output");
        await client.SendAsync("""{"type":"response.create"}""");
        var followUp = await client.WaitForAsync("response.output_audio_transcript.done", e => e.GetProperty("transcript").GetString() != "Hello from the scripted test agent.");
        Assert.Equal("Your order A-42 ships tomorrow.", followUp.GetProperty("transcript").GetString());
        var followUpDone = await client.WaitForAsync("response.done", e => e.GetProperty("response").GetProperty("id").GetString() == followUp.GetProperty("response_id").GetString());

        // Next turn, then silence after the last one.
        await client.SendAsync("""{"type":"response.create"}""");
        var goodbye = await client.WaitForAsync("response.output_audio_transcript.done", e => e.GetProperty("transcript").GetString() == "Goodbye.");
        await client.WaitForAsync("response.done", e => e.GetProperty("response").GetProperty("id").GetString() == goodbye.GetProperty("response_id").GetString());
        await client.SendAsync("""{"type":"response.create"}""");
        var silence = await client.WaitForAsync("response.output_audio_transcript.done", e => e.GetProperty("transcript").GetString() == "");
        var silenceDone = await client.WaitForAsync("response.done", e => e.GetProperty("response").GetProperty("id").GetString() == silence.GetProperty("response_id").GetString());
        Assert.Empty(LocalBackendEchoTests.CollectAudio(client, silenceDone.GetProperty("response").GetProperty("id").GetString()!));
        Assert.NotNull(followUpDone.GetProperty("response").GetProperty("id").GetString());
    }

    [Fact]
    public async Task Scenario_Malformed_FailsAtStartWithFileAndPath()
    {
        var path = Path.Combine(_directory, "broken.json");
        await File.WriteAllTextAsync(path, """{ "turns": [ { "text": "hi", "audio": "loud" } ] }""");
        var host = new LocalRealtimeHost(
            new LocalBackendOptions { Mode = LocalAgentMode.Scripted, ScenarioPath = path },
            0,
            Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        await using (host)
        {
            var error = await Assert.ThrowsAsync<LocalScenarioException>(() => host.StartAsync(CancellationToken.None));
            Assert.Contains(path, error.Message, StringComparison.Ordinal);
            Assert.Contains("$.turns[0].audio", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Options_Invalid_FailAtStartNamingEveryKey()
    {
        var host = new LocalRealtimeHost(
            new LocalBackendOptions { Mode = LocalAgentMode.Scripted, ChunkMs = 5 },
            0,
            Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        await using (host)
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync(CancellationToken.None));
            Assert.Contains("Switchboard:Local:ChunkMs must be between 10 and 1000", error.Message, StringComparison.Ordinal);
            Assert.Contains("Switchboard:Local:ScenarioPath is required", error.Message, StringComparison.Ordinal);
        }
    }
}
