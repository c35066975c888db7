using Switchboard.Configuration;

namespace Switchboard.Tests.Configuration;

public sealed class TelegramOptionsTests
{
    private static List<string> Errors(SwitchboardOptions options) => SwitchboardOptionsValidator.Collect(options).ToList();

    [Fact]
    public void Collect_BotTokenAlone_IsValidAndTurnsCallingOn()
    {
        var options = new SwitchboardOptions { Telegram = new TelegramOptions { BotToken = "123456:ABCdef" } };

        Assert.Empty(Errors(options));
        Assert.True(options.Realtime.IsEnabled(options.Telegram));
        Assert.Equal("telegram-default", options.Realtime.EndpointName);
        Assert.Equal(120, options.Realtime.LaunchTokenTtlSeconds);
    }

    [Fact]
    public void Collect_NoBotToken_ChecksNothingTelegram()
    {
        var options = new SwitchboardOptions { Telegram = new TelegramOptions { Mode = "carrier-pigeon" }, Realtime = new RealtimeOptions { BridgeId = "BAD ID" } };

        Assert.Empty(Errors(options));
        Assert.False(options.Realtime.IsEnabled(options.Telegram));
    }

    [Fact]
    public void Collect_EveryBadKey_IsReportedAtOnce()
    {
        var options = new SwitchboardOptions
        {
            Telegram = new TelegramOptions
            {
                BotToken = "not-a-token",
                AllowedUserIds = "12, abc",
                AllowedChatIds = "x",
                ApiBaseUrl = "ftp://x",
                Mode = "webhook",
                WebhookSecret = "has spaces",
                InitDataMaxAgeSeconds = 5,
                SignaturePublicKeys = "abcd",
            },
            Realtime = new RealtimeOptions
            {
                BridgeId = "Bad Id",
                TunnelMode = "ngrok",
                ControlSecret = "short",
                MaxCallSeconds = 1,
                IdleWarningSeconds = 60,
                IdleTimeoutSeconds = 30,
                LaunchTokenTtlSeconds = 1,
                BootstrapPerUser = new RateLimitBucketOptions { TokenLimit = 0 },
            },
        };

        var errors = Errors(options);

        foreach (var key in new[]
        {
            "Telegram:BotToken", "Telegram:AllowedUserIds", "Telegram:AllowedChatIds", "Telegram:ApiBaseUrl", "Telegram:WebhookSecret",
            "Telegram:InitDataMaxAgeSeconds", "Telegram:SignaturePublicKeys", "Realtime:BridgeId", "Realtime:TunnelMode", "Realtime:ControlSecret",
            "Realtime:MaxCallSeconds", "Realtime:IdleWarningSeconds", "Realtime:LaunchTokenTtlSeconds", "Realtime:BootstrapPerUser:TokenLimit",
        })
        {
            Assert.Contains(errors, e => e.StartsWith("Switchboard:" + key, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void AllowedIds_CommaSeparated_AreParsed()
    {
        var options = new TelegramOptions { BotToken = "1:x", AllowedUserIds = "42, 43,-7", AllowedChatIds = "-100123" };

        Assert.Equal(new HashSet<long> { 42, 43, -7 }, options.AllowedUsers);
        Assert.Equal(new HashSet<long> { -100123 }, options.AllowedChats);
    }

    [Fact]
    public void Collect_StaticModeWithBadPublicUrl_IsReported()
    {
        var options = new SwitchboardOptions { Telegram = new TelegramOptions { BotToken = "1:x" }, Realtime = new RealtimeOptions { PublicUrl = "not a url" } };

        Assert.Contains(Errors(options), e => e.StartsWith("Switchboard:Realtime:PublicUrl", StringComparison.Ordinal));
    }
}
