using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Switchboard.Agents;
using Switchboard.Chatbot;
using Switchboard.Common;
using Switchboard.Control;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.IntegrationTests.Sessions;
using Switchboard.IntegrationTests.Telemetry;

namespace Switchboard.IntegrationTests.Compatibility;

/// <summary>
/// Inbound chatbot callbacks (the TelAPI edge, issue 17): <c>POST /api/v1/webhooks/tobi/{channelId}</c> with the
/// conversation's token reaches the live session — a <c>chatbot</c> message in text mode, the agent's speech in voice
/// modes — and answers <c>{"received": true, "streamId": "&lt;ms&gt;-&lt;seq&gt;"}</c>; every refusal has its status.
/// </summary>
public partial class ChatbotCallbackTests
{
    private static string NewChannel() => "tobi-" + Guid.NewGuid().ToString("N")[..10];

    private static AgentSpec ChatbotSpecFor(string channel, string? greeting = null) =>
        new() { Chatbot = new ChatbotSpec { ChannelId = channel }, Greeting = greeting };

    /// <summary>Creates a session and returns the 201 body as JSON (with its <c>chatbot</c> object).</summary>
    private static async Task<JsonElement> CreateSessionAsync(GatewayFixture gateway, string key, Guid endpointId, string mode = "text")
    {
        using var response = await SessionApi.PostAsync(gateway, key, endpointId, mode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> CallbackAsync(GatewayFixture gateway, string channel, string? token, string body, string query = "")
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, gateway.BaseUrl + "/api/v1/webhooks/tobi/" + channel + query)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation("token", token);
        }

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private static string Body(string conversationId, params string[] texts) =>
        JsonSerializer.Serialize(new
        {
            conversation = new { identifier = new { id = conversationId } },
            messages = texts.Select(t => new { type = "text", text = t }),
            metadata = new { locale = "de-DE" },
        });

    [GeneratedRegex(@"^[0-9]{13}-[0-9]+$")]
    private static partial Regex StreamIdFormat();

    [Fact]
    public async Task TextSession_ReceivesTheChatbotsMessages_AndEachAnswerHasAStreamId()
    {
        await using var gateway = await GatewayFixture.StartAsync(SessionApi.Settings());
        var key = await SessionApi.CreateKeyAsync(gateway);
        var channel = NewChannel();
        var endpoint = await SessionApi.CreateEndpointAsync(gateway, ChatbotSpecFor(channel));
        var created = await CreateSessionAsync(gateway, key, endpoint.Id);
        var chatbot = created.GetProperty("chatbot");
        var conversationId = chatbot.GetProperty("conversationId").GetString()!;
        var token = chatbot.GetProperty("token").GetString()!;
        Assert.Equal(channel, chatbot.GetProperty("channelId").GetString());
        Assert.Equal(gateway.BaseUrl + "/api/v1/webhooks/tobi/" + channel, chatbot.GetProperty("callbackUrl").GetString());

        // Stored hashed: the plaintext token is nowhere in the database row.
        var stored = await gateway.Store.GetChatbotConversationAsync(conversationId, CancellationToken.None);
        Assert.Equal(ChatbotTokens.Hash(token), stored!.TokenHash);

        await using var client = await SessionTestClient.ConnectAsync(created.GetProperty("wsUrl").GetString()!);
        await client.WaitForTypeAsync("status", m => VoiceSession.IsStatus(m, "idle"));

        var (status, answer) = await CallbackAsync(gateway, channel, token, Body(conversationId, "Ihr Paket kommt morgen."), "?callId=c-1");
        Assert.True(status == HttpStatusCode.OK, $"{(int)status}: {answer}");
        Assert.True(answer.GetProperty("received").GetBoolean());
        var first = answer.GetProperty("streamId").GetString()!;
        Assert.Matches(StreamIdFormat(), first);

        var message = await client.WaitForTypeAsync("chatbot");
        Assert.Equal("Ihr Paket kommt morgen.", message.GetProperty("payload").GetProperty("text").GetString());
        Assert.Equal(first, message.GetProperty("payload").GetProperty("streamId").GetString());

        var (_, again) = await CallbackAsync(gateway, channel, token, Body(conversationId, "Noch etwas?"));
        var second = again.GetProperty("streamId").GetString()!;
        Assert.True(Compare(second, first) > 0, $"{second} after {first}");
        await client.WaitForTypeAsync("chatbot", m => m.GetProperty("payload").GetProperty("text").GetString() == "Noch etwas?");
    }

    private static int Compare(string a, string b)
    {
        var (am, asq) = (long.Parse(a.Split('-')[0], System.Globalization.CultureInfo.InvariantCulture), long.Parse(a.Split('-')[1], System.Globalization.CultureInfo.InvariantCulture));
        var (bm, bsq) = (long.Parse(b.Split('-')[0], System.Globalization.CultureInfo.InvariantCulture), long.Parse(b.Split('-')[1], System.Globalization.CultureInfo.InvariantCulture));
        return am != bm ? am.CompareTo(bm) : asq.CompareTo(bsq);
    }

    [Fact]
    public async Task Callback_Refusals_HaveTheirStatuses_AndHostileJsonIsNever500()
    {
        await using var gateway = await GatewayFixture.StartAsync(SessionApi.Settings());
        var key = await SessionApi.CreateKeyAsync(gateway);
        var channel = NewChannel();
        var endpoint = await SessionApi.CreateEndpointAsync(gateway, ChatbotSpecFor(channel));
        var created = await CreateSessionAsync(gateway, key, endpoint.Id);
        var conversationId = created.GetProperty("chatbot").GetProperty("conversationId").GetString()!;
        var token = created.GetProperty("chatbot").GetProperty("token").GetString()!;
        var body = Body(conversationId, "hallo");

        Assert.Equal(HttpStatusCode.NotFound, (await CallbackAsync(gateway, "no-such-channel", token, body)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await CallbackAsync(gateway, "bad%20channel", token, body)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await CallbackAsync(gateway, channel, null, body)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await CallbackAsync(gateway, channel, token + "x", body)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await CallbackAsync(gateway, channel, token, Body("conv_unknown", "hallo"))).Status);

        var (missing, problem) = await CallbackAsync(gateway, channel, token, """{"conversation":{"identifier":{}},"messages":[]}""");
        Assert.Equal(HttpStatusCode.BadRequest, missing);
        Assert.True(problem.GetProperty("errors").TryGetProperty("conversation.identifier.id", out _), problem.GetRawText());

        var (badTrace, traceProblem) = await CallbackAsync(gateway, channel, token, body, "?traceId=xyz&parentSpanId=00f067aa0ba902b7");
        Assert.Equal(HttpStatusCode.BadRequest, badTrace);
        Assert.Contains("traceId", traceProblem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var (badSpan, spanProblem) = await CallbackAsync(gateway, channel, token, body, "?traceId=4bf92f3577b34da6a3ce929d0e0e4736&parentSpanId=123");
        Assert.Equal(HttpStatusCode.BadRequest, badSpan);
        Assert.Contains("parentSpanId", spanProblem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // Hostile bodies: every one is a 4xx, never a 500.
        foreach (var hostile in new[]
        {
            "{", "[]", "null", """{"conversation":{"identifier":{"id":"a","id":"b"}}}""", new string('[', 5000) + new string(']', 5000),
            """{"conversation":{"identifier":{"id":42}}}""", """{"conversation":{"identifier":{"id":"\uD800"}}}""",
            """{"conversation":{"identifier":{"id":"x"}},"messages":"nope"}""", """{"conversation":{"identifier":{"id":"x"}},"metadata":[1]}""",
        })
        {
            var (code, _) = await CallbackAsync(gateway, channel, token, hostile);
            Assert.True((int)code is >= 400 and < 500, $"{hostile[..Math.Min(40, hostile.Length)]}: {(int)code}");
        }

        using (var http = new HttpClient())
        using (var huge = new HttpRequestMessage(HttpMethod.Post, gateway.BaseUrl + "/api/v1/webhooks/tobi/" + channel) { Content = new StringContent(new string(' ', 300 * 1024) + body, Encoding.UTF8, "application/json") })
        {
            huge.Headers.TryAddWithoutValidation("token", token);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await http.SendAsync(huge)).StatusCode);
        }

        // The session lives but nobody is connected: 409.
        Assert.Equal(HttpStatusCode.Conflict, (await CallbackAsync(gateway, channel, token, body)).Status);

        // A conversation whose session has ended: 410.
        var (endedToken, hash) = ChatbotTokens.Issue();
        var now = DateTimeOffset.UtcNow;
        await gateway.Store.CreateChatbotConversationAsync(new ChatbotConversation
        {
            Id = "conv_ended",
            ChannelId = channel,
            TeamId = endpoint.TeamId,
            EndpointId = endpoint.Id,
            SessionId = Guid.NewGuid(),
            TokenHash = hash,
            CreatedAt = now.AddHours(-2),
            ExpiresAt = now.AddHours(-1),
        }, CancellationToken.None);
        Assert.Equal(HttpStatusCode.Gone, (await CallbackAsync(gateway, channel, endedToken, Body("conv_ended", "zu spät"))).Status);

        // Another channel's token does not open this conversation.
        var otherChannel = NewChannel();
        var other = await SessionApi.CreateEndpointAsync(gateway, ChatbotSpecFor(otherChannel));
        var otherToken = (await CreateSessionAsync(gateway, key, other.Id)).GetProperty("chatbot").GetProperty("token").GetString()!;
        Assert.Equal(HttpStatusCode.Unauthorized, (await CallbackAsync(gateway, otherChannel, otherToken, body)).Status);
    }

    [Fact]
    public async Task ChannelId_IsUniquePerGateway()
    {
        await using var gateway = await GatewayFixture.StartAsync(SessionApi.Settings());
        var channel = NewChannel();
        await SessionApi.CreateEndpointAsync(gateway, ChatbotSpecFor(channel));
        var otherTeam = await SessionApi.CreateTeamAsync(gateway);
        var clash = await Assert.ThrowsAsync<StoreConflictException>(() => SessionApi.CreateEndpointAsync(gateway, ChatbotSpecFor(channel), otherTeam.Id));
        Assert.Contains($"chatbot.channelId '{channel}'", clash.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EndpointsApi_SetsAndShowsTheBinding_RefusesABadOrTakenChannelByName()
    {
        await using var gateway = await GatewayFixture.StartAsync(SessionApi.Settings());
        var channel = NewChannel();
        using var http = Webhooks.WebhookTestKit.Client(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.ManageEndpoints));
        using (var created = await http.PostAsync("/api/v1/endpoints", Webhooks.WebhookTestKit.Json("{\"name\":\"bot\",\"chatbot\":{\"channelId\":\"" + channel + "\"}}")))
        {
            var text = await created.Content.ReadAsStringAsync();
            Assert.True(created.StatusCode == HttpStatusCode.Created, text);
            Assert.Equal(channel, JsonDocument.Parse(text).RootElement.GetProperty("chatbot").GetProperty("channelId").GetString());
        }

        using (var bad = await http.PostAsync("/api/v1/endpoints", Webhooks.WebhookTestKit.Json("""{"name":"bad","chatbot":{"channelId":"no spaces"}}""")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.True((await SessionApi.ProblemAsync(bad)).GetProperty("errors").TryGetProperty("chatbot.channelId", out _));
        }

        // Another team cannot take the channel either: the callback URL names nothing else.
        var otherTeam = await SessionApi.CreateTeamAsync(gateway);
        using var other = Webhooks.WebhookTestKit.Client(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.ManageEndpoints, otherTeam.Id));
        using var taken = await other.PostAsync("/api/v1/endpoints", Webhooks.WebhookTestKit.Json("{\"name\":\"copy\",\"chatbot\":{\"channelId\":\"" + channel + "\"}}"));
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        Assert.Contains($"chatbot.channelId '{channel}'", await taken.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task VoiceSession_TheAgentSaysTheChatbotsMessage()
    {
        await using var backend = await VoiceFakeBackend.StartAsync();
        await using var gateway = await GatewayFixture.StartAsync(backend.GatewaySettings());
        var key = await SessionApi.CreateKeyAsync(gateway);
        var channel = NewChannel();
        var endpoint = await SessionApi.CreateEndpointAsync(gateway, ChatbotSpecFor(channel));
        var created = await CreateSessionAsync(gateway, key, endpoint.Id, InteractionModes.VoiceConversation);
        await using var client = await SessionTestClient.ConnectAsync(created.GetProperty("wsUrl").GetString()!);
        await backend.WaitForAsync("session.update");
        await client.WaitForTypeAsync("status", m => VoiceSession.IsStatus(m, "idle"));

        var chatbot = created.GetProperty("chatbot");
        var (status, answer) = await CallbackAsync(gateway, channel, chatbot.GetProperty("token").GetString(),
            Body(chatbot.GetProperty("conversationId").GetString()!, "Your parcel arrives tomorrow."));
        Assert.True(status == HttpStatusCode.OK, $"{(int)status}: {answer}");

        var create = await backend.WaitForAsync("response.create");
        Assert.Contains("Say exactly: \"Your parcel arrives tomorrow.\"", (string?)create["response"]!["instructions"], StringComparison.Ordinal);
        Assert.DoesNotContain(backend.Received, e => (string?)e["type"] == "conversation.item.create");
        Assert.DoesNotContain(client.Received, m => VoiceSession.Type(m) == "chatbot");
    }

    [Fact]
    public async Task Callback_ContinuesTheChatbotsTrace()
    {
        await using var otlp = await OtlpReceiver.StartAsync();
        var settings = SessionApi.Settings();
        settings["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlp.BaseUrl;
        settings["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        settings["OTEL_BSP_SCHEDULE_DELAY"] = "100";
        await using var gateway = await GatewayFixture.StartAsync(settings);
        var key = await SessionApi.CreateKeyAsync(gateway);
        var channel = NewChannel();
        var endpoint = await SessionApi.CreateEndpointAsync(gateway, ChatbotSpecFor(channel));
        var created = await CreateSessionAsync(gateway, key, endpoint.Id);
        await using var client = await SessionTestClient.ConnectAsync(created.GetProperty("wsUrl").GetString()!);
        await client.WaitForTypeAsync("status", m => VoiceSession.IsStatus(m, "idle"));

        const string traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        const string parentSpanId = "00f067aa0ba902b7";
        var chatbot = created.GetProperty("chatbot");
        var (status, _) = await CallbackAsync(gateway, channel, chatbot.GetProperty("token").GetString(),
            Body(chatbot.GetProperty("conversationId").GetString()!, "hi"), $"?traceId={traceId}&parentSpanId={parentSpanId}&callId=c-7");
        Assert.Equal(HttpStatusCode.OK, status);

        var spans = await otlp.WaitForAsync(s => s.Any(x => x.Name == "chatbot callback"));
        var span = Assert.Single(spans, s => s.Name == "chatbot callback");
        Assert.Equal((traceId, parentSpanId), (span.TraceId, span.ParentSpanId));
        Assert.Equal(channel, span["switchboard.chatbot.channel"]);
        Assert.Equal("c-7", span["switchboard.chatbot.call_id"]);
    }
}
