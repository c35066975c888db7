using System.Net;
using System.Text.Json;
using Switchboard.IntegrationTests.Gateway;

namespace Switchboard.IntegrationTests.Sessions;

/// <summary>
/// <c>telproDomain</c> and <c>webrtcGatewayUrl</c> (issue 17): in <c>voice_conversation</c> session responses when
/// <c>Switchboard:Sessions:WebRtc</c> is configured, absent in other modes and on a gateway without it.
/// </summary>
public class WebRtcSessionTests
{
    private static async Task<JsonElement> CreateAsync(GatewayFixture gateway, string key, string mode)
    {
        using var response = await SessionApi.PostAsync(gateway, key, SessionApi.DefaultEndpoint(gateway).Id, mode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    [Fact]
    public async Task VoiceConversation_NamesTheConfiguredWebRtcGateway_OtherModesDoNot()
    {
        var settings = SessionApi.Settings();
        settings["Switchboard:Sessions:WebRtc:TelproDomain"] = "sip.example.com";
        settings["Switchboard:Sessions:WebRtc:GatewayUrl"] = "wss://webrtc.example.com/gw";
        await using var gateway = await GatewayFixture.StartAsync(settings);
        var key = await SessionApi.CreateKeyAsync(gateway);

        var voice = await CreateAsync(gateway, key, "voice_conversation");
        Assert.Equal("sip.example.com", voice.GetProperty("telproDomain").GetString());
        Assert.Equal("wss://webrtc.example.com/gw", voice.GetProperty("webrtcGatewayUrl").GetString());

        var text = await CreateAsync(gateway, key, "text");
        Assert.False(text.TryGetProperty("telproDomain", out _));
        Assert.False(text.TryGetProperty("webrtcGatewayUrl", out _));
    }

    [Fact]
    public async Task WithoutWebRtc_TheFieldsAreAbsent()
    {
        await using var gateway = await GatewayFixture.StartAsync(SessionApi.Settings());
        var voice = await CreateAsync(gateway, await SessionApi.CreateKeyAsync(gateway), "voice_conversation");
        Assert.False(voice.TryGetProperty("telproDomain", out _));
        Assert.False(voice.TryGetProperty("webrtcGatewayUrl", out _));
        Assert.False(voice.TryGetProperty("chatbot", out _));
    }
}
