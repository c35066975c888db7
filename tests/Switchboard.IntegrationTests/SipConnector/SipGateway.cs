using System.Text.Json.Nodes;
using Switchboard.Agents;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.Journal;
using Switchboard.Testing.Realtime;
using Switchboard.Testing.Sip;

namespace Switchboard.IntegrationTests.SipConnector;

/// <summary>
/// A gateway wired to a <see cref="FakeSipConnector"/> (OpenAI's REST base, its realtime URL and a key, or Azure's resource),
/// with the webhook secret set, and the steps every SIP connector test takes: shape the default endpoint, post a signed
/// webhook, answer the greeting on the sideband.
/// </summary>
internal static class SipGateway
{
    /// <summary>OpenAI's webhook secret of the openai-python test vector (raw "synthetic-webhook-secret").</summary>
    public const string Secret = "whsec_c3ludGhldGljLXdlYmhvb2stc2VjcmV0";

    public const string OpenAIKey = "sk-test-sip-connector";

    public const string AzureKey = "azure-key-for-tests";

    public const string Greeting = "Thanks for calling Acme.";

    public static Task<GatewayFixture> StartAsync(FakeSipConnector fake, Dictionary<string, string?>? extra = null, bool azure = false)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Switchboard:Sip:WebhookSecret"] = Secret,
            ["Switchboard:Tools:AllowPrivateNetworks"] = "true",
        };
        if (azure)
        {
            settings["Switchboard:Azure:Endpoint"] = fake.AzureEndpoint;
            settings["Switchboard:Azure:ApiKey"] = AzureKey;
            settings["Switchboard:Azure:Deployment"] = "acme-realtime";
        }
        else
        {
            settings["Switchboard:OpenAI:ApiKey"] = OpenAIKey;
            settings["Switchboard:OpenAI:RealtimeUrl"] = fake.RealtimeUrl;
            settings["Switchboard:Sip:ApiBaseUrl"] = fake.ApiBaseUrl;
        }

        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        return GatewayFixture.StartAsync(settings);
    }

    /// <summary>Changes the default endpoint (which takes SIP calls by default) and gives it the test's greeting.</summary>
    public static async Task<AgentEndpoint> SetSpecAsync(GatewayFixture gateway, Func<AgentSpec, AgentSpec>? change = null)
    {
        var teams = await gateway.Store.ListTeamsAsync(CancellationToken.None);
        var endpoint = (await gateway.Store.GetDefaultEndpointAsync(teams[0].Id, CancellationToken.None))!;
        var spec = endpoint.Spec with { Greeting = Greeting };
        var updated = endpoint with { Spec = change is null ? spec : change(spec) };
        await gateway.Store.UpdateEndpointAsync(updated, CancellationToken.None);
        return updated;
    }

    /// <summary>Posts a signed <c>realtime.call.incoming</c> for <paramref name="callId"/> and returns the status.</summary>
    public static async Task<int> PostCallAsync(GatewayFixture gateway, string callId, string? webhookId = null, string query = "", string secret = Secret,
        long? timestamp = null, byte[]? body = null)
    {
        using var http = new HttpClient();
        using var request = FakeSipConnector.SignedWebhook(gateway.BaseUrl + "/openai/webhook" + query, secret, webhookId ?? "wh_" + callId,
            body ?? FakeSipConnector.IncomingCall(callId), timestamp);
        using var response = await http.SendAsync(request);
        return (int)response.StatusCode;
    }

    /// <summary>Waits for the greeting's <c>response.create</c> on the sideband and speaks it (transcript, then done with ~2 s of audio).</summary>
    public static async Task<JsonNode> AnswerGreetingAsync(FakeSipConnector fake)
    {
        var greet = await fake.Sideband.WaitForAsync("response.create");
        await SpeakAsync(fake, "resp_greet", "item_greet", Greeting, audioTokens: 40);
        return greet;
    }

    /// <summary>One spoken response: created, its transcript, done with <paramref name="audioTokens"/> output audio tokens (50 ms each).</summary>
    public static async Task SpeakAsync(FakeSipConnector fake, string responseId, string itemId, string text, int audioTokens)
    {
        await fake.Sideband.SendAsync(ServerEvents.ResponseCreated(responseId));
        await fake.Sideband.SendAsync(ServerEvents.OutputAudioTranscriptDelta(responseId, itemId, text));
        await fake.Sideband.SendAsync(ServerEvents.OutputAudioTranscriptDone(responseId, itemId, text));
        await fake.Sideband.SendAsync(ServerEvents.ResponseDoneWithAudio(responseId, audioTokens));
    }

    /// <summary>A response that only calls <paramref name="name"/> (completed, so the gateway runs it).</summary>
    public static async Task CallToolAsync(FakeSipConnector fake, string responseId, string toolCallId, string name, string arguments)
    {
        await fake.Sideband.SendAsync(ServerEvents.ResponseCreated(responseId));
        await fake.Sideband.SendAsync(ServerEvents.FunctionCallArgumentsDone(responseId, toolCallId, name, arguments));
        await fake.Sideband.SendAsync(ServerEvents.ResponseDone(responseId, usage: (120, 12)));
    }

    /// <summary>The caller's words, as the connector transcribes them.</summary>
    public static Task CallerSaysAsync(FakeSipConnector fake, string itemId, string text) => fake.Sideband.SendAsync(new JsonObject
    {
        ["type"] = "conversation.item.input_audio_transcription.completed",
        ["item_id"] = itemId,
        ["content_index"] = 0,
        ["transcript"] = text,
    });

    /// <summary>Every call's events once <paramref name="count"/> calls have ended or been refused.</summary>
    public static async Task<Dictionary<string, IReadOnlyList<CallEvent>>> WaitForCallsAsync(GatewayFixture gateway, int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var calls = await gateway.AllCallsAsync();
            if (calls.Count(c => c.Value.Any(e => e.Type is CallEventType.CallEnded or CallEventType.CallRefused)) >= count || DateTime.UtcNow > deadline)
            {
                return calls;
            }

            await Task.Delay(50);
        }
    }
}
