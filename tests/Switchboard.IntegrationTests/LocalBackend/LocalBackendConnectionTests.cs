using System.Net;
using System.Net.WebSockets;
using Switchboard.LocalAgent;

namespace Switchboard.IntegrationTests.LocalBackend;

public sealed class LocalBackendConnectionTests
{
    [Fact]
    public async Task Connect_WrongKey_Returns401()
    {
        await using var host = await LocalBackendFixture.StartAsync();
        var status = await ConnectForStatusAsync(host.Url, "Bearer sk-local-wrong", beta: false);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(HttpStatusCode.Unauthorized, await ConnectForStatusAsync(host.Url, null, beta: false));
    }

    [Fact]
    public async Task Connect_BetaHeader_Returns400()
    {
        await using var host = await LocalBackendFixture.StartAsync();
        var status = await ConnectForStatusAsync(host.Url, "Bearer " + host.ApiKey, beta: true);
        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    [Fact]
    public async Task Connect_BetaHeader_ExplainsWhyInBody()
    {
        await using var host = await LocalBackendFixture.StartAsync();
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new UriBuilder(host.Url) { Scheme = "http" }.Uri);
        request.Headers.Add("Authorization", "Bearer " + host.ApiKey);
        request.Headers.Add("OpenAI-Beta", "realtime=v1");
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("GA", body, StringComparison.Ordinal);
        Assert.Contains("OpenAI-Beta", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_ValidKey_SendsGaSessionCreated()
    {
        await using var host = await LocalBackendFixture.StartAsync();
        Assert.Equal("127.0.0.1", host.Url.Host);
        Assert.Equal("/v1/realtime", host.Url.AbsolutePath);
        await using var client = await RealtimeTestClient.ConnectAsync(host.Url, host.ApiKey);
        var created = await client.WaitForAsync("session.created");

        Assert.StartsWith("event_", created.GetProperty("event_id").GetString(), StringComparison.Ordinal);
        var session = created.GetProperty("session");
        Assert.Equal("realtime", session.GetProperty("type").GetString());
        Assert.Equal("realtime.session", session.GetProperty("object").GetString());
        Assert.StartsWith("sess_", session.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal("gpt-realtime", session.GetProperty("model").GetString());
        Assert.Equal("audio", session.GetProperty("output_modalities")[0].GetString());
        var expiresAt = session.GetProperty("expires_at").GetInt64();
        Assert.InRange(expiresAt - DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 3500, 3700);
        var input = session.GetProperty("audio").GetProperty("input");
        Assert.Equal("audio/pcm", input.GetProperty("format").GetProperty("type").GetString());
        Assert.Equal(24000, input.GetProperty("format").GetProperty("rate").GetInt32());
        Assert.Equal("server_vad", input.GetProperty("turn_detection").GetProperty("type").GetString());
        Assert.True(input.GetProperty("turn_detection").GetProperty("create_response").GetBoolean());
        Assert.True(input.GetProperty("turn_detection").GetProperty("interrupt_response").GetBoolean());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, input.GetProperty("transcription").ValueKind);
        Assert.Equal("audio/pcm", session.GetProperty("audio").GetProperty("output").GetProperty("format").GetProperty("type").GetString());

        await WaitUntilAsync(() => host.ActiveSessions == 1);
    }

    [Fact]
    public async Task Close_ByClient_ActiveSessionsDropsToZero()
    {
        await using var host = await LocalBackendFixture.StartAsync();
        var client = await RealtimeTestClient.ConnectAsync(host.Url, host.ApiKey);
        await client.WaitForAsync("session.created");
        await WaitUntilAsync(() => host.ActiveSessions == 1);
        await client.DisposeAsync();
        await WaitUntilAsync(() => host.ActiveSessions == 0);
    }

    [Fact]
    public async Task Stop_WithOpenSession_ClosesWith1001()
    {
        var host = await LocalBackendFixture.StartAsync();
        await using var client = await RealtimeTestClient.ConnectAsync(host.Url, host.ApiKey);
        await client.WaitForAsync("session.created");
        var closed = client.WaitForCloseAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var stopping = host.StopAsync(timeout.Token);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, await closed);
        await client.DisposeAsync();
        await stopping;
        await host.DisposeAsync();
    }

    [Fact]
    public async Task SessionUpdate_WithoutType_ReturnsMissingParameterErrorAndKeepsSession()
    {
        await using var host = await LocalBackendFixture.StartAsync();
        await using var client = await RealtimeTestClient.ConnectAsync(host.Url, host.ApiKey);
        await client.WaitForAsync("session.created");

        await client.SendAsync("""{"type":"session.update","event_id":"evt_client_1","session":{"modalities":["audio"],"instructions":"beta shaped"}}""");
        var error = (await client.WaitForAsync("error")).GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal("missing_required_parameter", error.GetProperty("code").GetString());
        Assert.Equal("Missing required parameter: 'session.type'.", error.GetProperty("message").GetString());
        Assert.Equal("session.type", error.GetProperty("param").GetString());
        Assert.Equal("evt_client_1", error.GetProperty("event_id").GetString());

        await client.SendAsync("""{"type":"session.update","session":{"type":"realtime","instructions":"now GA"}}""");
        var updated = await client.WaitForAsync("session.updated");
        Assert.Equal("now GA", updated.GetProperty("session").GetProperty("instructions").GetString());
    }

    [Fact]
    public async Task SessionUpdate_Partial_KeepsOtherSettingsAndEchoesFullSession()
    {
        await using var host = await LocalBackendFixture.StartAsync();
        await using var client = await RealtimeTestClient.ConnectAsync(host.Url, host.ApiKey);
        await client.WaitForAsync("session.created");

        await client.SendAsync("""{"type":"session.update","session":{"type":"realtime","audio":{"input":{"format":{"type":"audio/pcma"},"turn_detection":{"type":"server_vad","silence_duration_ms":700,"create_response":false}},"output":{"voice":"cedar"}},"tools":[{"type":"function","name":"transfer_call","parameters":{"type":"object"}}]}}""");
        var session = (await client.WaitForAsync("session.updated")).GetProperty("session");
        var audio = session.GetProperty("audio");
        Assert.Equal("audio/pcma", audio.GetProperty("input").GetProperty("format").GetProperty("type").GetString());
        Assert.Equal(700, audio.GetProperty("input").GetProperty("turn_detection").GetProperty("silence_duration_ms").GetInt32());
        Assert.False(audio.GetProperty("input").GetProperty("turn_detection").GetProperty("create_response").GetBoolean());
        Assert.Equal("audio/pcm", audio.GetProperty("output").GetProperty("format").GetProperty("type").GetString());
        Assert.Equal("cedar", audio.GetProperty("output").GetProperty("voice").GetString());
        Assert.Equal("transfer_call", session.GetProperty("tools")[0].GetProperty("name").GetString());

        await client.SendAsync("""{"type":"session.update","session":{"type":"realtime","audio":{"input":{"turn_detection":null}}}}""");
        session = (await client.WaitForAsync("session.updated")).GetProperty("session");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, session.GetProperty("audio").GetProperty("input").GetProperty("turn_detection").ValueKind);
        Assert.Equal("audio/pcma", session.GetProperty("audio").GetProperty("input").GetProperty("format").GetProperty("type").GetString());
        Assert.Equal("transfer_call", session.GetProperty("tools")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task ClientErrors_UnknownTypeMalformedJsonBadBase64_AnswerErrorsAndSessionContinues()
    {
        await using var host = await LocalBackendFixture.StartAsync();
        await using var client = await RealtimeTestClient.ConnectAsync(host.Url, host.ApiKey);
        await client.WaitForAsync("session.created");

        await client.SendAsync("""{"type":"response.audio.delta","event_id":"evt_2"}""");
        var unknown = (await client.WaitForAsync("error")).GetProperty("error");
        Assert.Equal("invalid_value", unknown.GetProperty("code").GetString());
        Assert.Contains("response.audio.delta", unknown.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("evt_2", unknown.GetProperty("event_id").GetString());

        await client.SendAsync("{\"type\": \"session.update\", ");
        var malformed = (await client.WaitForAsync("error")).GetProperty("error");
        Assert.Equal("invalid_request_error", malformed.GetProperty("type").GetString());

        await client.SendAsync("""{"type":"response.create"} trailing""");
        Assert.Equal("invalid_json", (await client.WaitForAsync("error")).GetProperty("error").GetProperty("code").GetString());

        await client.SendAsync("""{"type":"input_audio_buffer.append","event_id":"evt_3","audio":"not base64!"}""");
        var badAudio = (await client.WaitForAsync("error")).GetProperty("error");
        Assert.Equal("invalid_value", badAudio.GetProperty("code").GetString());
        Assert.Equal("evt_3", badAudio.GetProperty("event_id").GetString());

        await client.SendAsync("""{"event_id":"evt_4"}""");
        Assert.Equal("invalid_event", (await client.WaitForAsync("error")).GetProperty("error").GetProperty("code").GetString());

        await client.SendAsync("""{"type":"input_audio_buffer.commit"}""");
        Assert.Equal("input_audio_buffer_commit_empty", (await client.WaitForAsync("error")).GetProperty("error").GetProperty("code").GetString());

        await client.SendAsync("""{"type":"session.update","session":{"type":"realtime"}}""");
        await client.WaitForAsync("session.updated");
        Assert.Equal(WebSocketState.Open, client.State);
    }

    [Fact]
    public async Task Message_Over15MiB_ClosesWith1009()
    {
        await using var host = await LocalBackendFixture.StartAsync();
        await using var client = await RealtimeTestClient.ConnectAsync(host.Url, host.ApiKey);
        await client.WaitForAsync("session.created");

        var prefix = "{\"type\":\"input_audio_buffer.append\",\"audio\":\""u8.ToArray();
        var message = new byte[LocalRealtimeSession.MaxMessageBytes + 1024];
        prefix.CopyTo(message, 0);
        message.AsSpan(prefix.Length, message.Length - prefix.Length - 2).Fill((byte)'A');
        message[^2] = (byte)'"';
        message[^1] = (byte)'}';
        try
        {
            await client.SendRawAsync(message);
        }
        catch (WebSocketException)
        {
            // The server may close before the whole message is written.
        }

        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await client.WaitForCloseAsync());
    }

    private static async Task<HttpStatusCode> ConnectForStatusAsync(Uri url, string? authorization, bool beta)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (authorization is not null)
        {
            socket.Options.SetRequestHeader("Authorization", authorization);
        }

        if (beta)
        {
            socket.Options.SetRequestHeader("OpenAI-Beta", "realtime=v1");
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(url, timeout.Token));
        return socket.HttpStatusCode;
    }

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "Condition not met within 10 s.");
            await Task.Delay(20);
        }
    }

}
