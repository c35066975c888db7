using System.Net;
using System.Net.WebSockets;
using Switchboard.Carriers.Twilio;
using Switchboard.Cli.Simulation;

namespace Switchboard.IntegrationTests.Gateway;

public class SecurityTests
{
    private const string Token = "twilio-test-token";

    private static Dictionary<string, string?> Signed() => new() { ["Switchboard:Twilio:AuthToken"] = Token };

    [Fact]
    public async Task TwilioUpgrade_WrongSignature_Is403AndNoCallStarts()
    {
        await using var gateway = await GatewayFixture.StartAsync(Signed());
        var ex = await Assert.ThrowsAsync<SimulationException>(() =>
            SimulatedCarrierConnection.ConnectAsync(gateway.WebSocketUrl("/twilio"), new TwilioCallerProtocol(CallIdentity.NewTwilio()), authToken: "wrong-token"));
        Assert.Contains("403", ex.Message, StringComparison.Ordinal);
        var unsigned = await Assert.ThrowsAsync<SimulationException>(() =>
            SimulatedCarrierConnection.ConnectAsync(gateway.WebSocketUrl("/twilio"), new TwilioCallerProtocol(CallIdentity.NewTwilio())));
        Assert.Contains("403", unsigned.Message, StringComparison.Ordinal);
        Assert.Empty(await gateway.AllCallsAsync());
    }

    [Fact]
    public async Task TwilioUpgrade_RightSignature_CallRuns()
    {
        await using var gateway = await GatewayFixture.StartAsync(Signed());
        var result = await CallSimulator.RunAsync(new SimulationOptions
        {
            Url = gateway.WebSocketUrl("/twilio"),
            AuthToken = Token,
            CallerAudio = CallTestAudio.Speech(600),
            TailSeconds = 2,
        });
        Assert.Equal(WebSocketCloseStatus.NormalClosure, result.CloseStatus);
        Assert.True(result.ReceivedMedia.Count > 0);
    }

    [Fact]
    public async Task TwimlWebhook_SignatureChecked_AndTwimlConnectsToTheStream()
    {
        await using var gateway = await GatewayFixture.StartAsync(Signed());
        using var http = new HttpClient();
        var url = gateway.BaseUrl + "/twilio/twiml";
        var form = new Dictionary<string, string> { ["CallSid"] = "CA123", ["From"] = "+15551230000", ["To"] = "+15559870000", ["AccountSid"] = "AC1" };

        using var bad = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(form) };
        bad.Headers.Add("X-Twilio-Signature", "bm90IGEgc2lnbmF0dXJl");
        using var badResponse = await http.SendAsync(bad);
        Assert.Equal(HttpStatusCode.Forbidden, badResponse.StatusCode);
        Assert.Equal("application/problem+json", badResponse.Content.Headers.ContentType?.MediaType);

        using var good = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(form) };
        good.Headers.Add("X-Twilio-Signature", TwilioSignature.Compute(Token, url, form));
        using var goodResponse = await http.SendAsync(good);
        Assert.Equal(HttpStatusCode.OK, goodResponse.StatusCode);
        var twiml = await goodResponse.Content.ReadAsStringAsync();
        Assert.Contains($"<Connect><Stream url=\"{gateway.WebSocketUrl("/twilio")}\">", twiml, StringComparison.Ordinal);
        Assert.Contains("<Parameter name=\"From\" value=\"+15551230000\"/>", twiml, StringComparison.Ordinal);
        Assert.Contains("<Parameter name=\"CallSid\" value=\"CA123\"/>", twiml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwimlWebhook_PublicBaseUrlBehindProxy_SignatureUsesThePublicUrl()
    {
        var settings = Signed();
        settings["Switchboard:PublicBaseUrl"] = "https://gw.example.com";
        await using var gateway = await GatewayFixture.StartAsync(settings);
        using var http = new HttpClient();
        var form = new Dictionary<string, string> { ["CallSid"] = "CA1" };
        using var request = new HttpRequestMessage(HttpMethod.Post, gateway.BaseUrl + "/twilio/twiml") { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-Twilio-Signature", TwilioSignature.Compute(Token, "https://gw.example.com/twilio/twiml", form));
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("url=\"wss://gw.example.com/twilio\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "missing stream token")]
    [InlineData("wrong", "invalid stream token")]
    public async Task TelnyxStream_MissingOrWrongToken_Closes1008(string? token, string reason)
    {
        await using var gateway = await GatewayFixture.StartAsync(new Dictionary<string, string?> { ["Switchboard:Telnyx:StreamToken"] = "right" });
        await using var c = await SimulatedCarrierConnection.ConnectAsync(gateway.WebSocketUrl("/telnyx"),
            new TelnyxCallerProtocol(CallIdentity.NewTelnyx(), new StreamFormat(MediaCodec.Pcmu, 8000)), token: token);
        var close = await c.WaitForCloseAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, close.Status);
        Assert.Equal(reason, close.Description);
        Assert.Empty(await gateway.AllCallsAsync());
    }

    [Fact]
    public async Task TelnyxStream_NoTokenConfigured_RefusesEveryStream()
    {
        await using var gateway = await GatewayFixture.StartAsync();
        await using var c = await SimulatedCarrierConnection.ConnectAsync(gateway.WebSocketUrl("/telnyx"),
            new TelnyxCallerProtocol(CallIdentity.NewTelnyx(), new StreamFormat(MediaCodec.Pcmu, 8000)), token: "anything");
        var close = await c.WaitForCloseAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, close.Status);
    }

    [Fact]
    public async Task StreamEndpoints_PlainHttp_Are400ProblemDetails()
    {
        await using var gateway = await GatewayFixture.StartAsync();
        using var http = new HttpClient();
        using var response = await http.GetAsync(gateway.BaseUrl + "/twilio");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
