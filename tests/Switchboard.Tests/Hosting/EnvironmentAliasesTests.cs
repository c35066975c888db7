using Switchboard.Configuration;
using Switchboard.Server.Hosting;

namespace Switchboard.Tests.Hosting;

public class EnvironmentAliasesTests
{
    private static Dictionary<string, string?> Read(Dictionary<string, string> env) =>
        EnvironmentAliases.Read(name => env.GetValueOrDefault(name)).ToDictionary(p => p.Key, p => p.Value);

    [Fact]
    public void SwitchboardRedis_IsTheRedisConfigurationString() =>
        Assert.Equal("redis:6379,password=x", Read(new() { ["SWITCHBOARD_REDIS"] = "redis:6379,password=x" })["Switchboard:Redis:Configuration"]);

    [Fact]
    public void VoiceGatewayToken_IsTheTelnyxStreamToken()
    {
        Assert.Equal("vg-1", Read(new() { ["VOICE_GATEWAY_TOKEN"] = "vg-1" })["Switchboard:Telnyx:StreamToken"]);
    }

    [Fact]
    public void TelnyxStreamToken_WinsOverItsAlternate_AndNoKeyIsGivenTwice()
    {
        var config = EnvironmentAliases.Read(name => name switch { "VOICE_GATEWAY_TOKEN" => "vg-1", "TELNYX_STREAM_TOKEN" => "tel-1", _ => null }).ToList();
        Assert.Equal("tel-1", Assert.Single(config, p => p.Key == "Switchboard:Telnyx:StreamToken").Value);
    }

    [Fact]
    public void InternalApiKey_IsTheSecretNamedInternal()
    {
        Assert.Equal("k-1", Read(new() { ["INTERNAL_API_KEY"] = "k-1" })["Switchboard:Tools:Secrets:internal"]);
    }

    [Fact]
    public void VoiceCarrierPrimary_SetsThePrimaryCarrier_AndAnUnknownOneIsAStartupError()
    {
        Assert.Equal("telnyx", Read(new() { ["VOICE_CARRIER_PRIMARY"] = "telnyx" })["Switchboard:PrimaryCarrier"]);
        Assert.DoesNotContain(SwitchboardOptionsValidator.Collect(new SwitchboardOptions { PrimaryCarrier = "telnyx" }), e => e.Contains("PrimaryCarrier", StringComparison.Ordinal));
        var error = Assert.Single(SwitchboardOptionsValidator.Collect(new SwitchboardOptions { PrimaryCarrier = "vonage" }), e => e.Contains("PrimaryCarrier", StringComparison.Ordinal));
        Assert.Contains("VOICE_CARRIER_PRIMARY", error, StringComparison.Ordinal);
    }

    [Fact]
    public void QuickStart_NamesTheCarriersOwnSetting()
    {
        Assert.Equal("set the number's Voice webhook to POST https://gw.example.com/twilio/twiml", StartupReport.QuickStart("twilio", "https://gw.example.com"));
        Assert.StartsWith("start streaming with stream_url wss://gw.example.com/telnyx?token=", StartupReport.QuickStart("telnyx", "https://gw.example.com"), StringComparison.Ordinal);
    }
}
