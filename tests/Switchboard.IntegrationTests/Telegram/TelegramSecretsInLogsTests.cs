using Microsoft.Extensions.Logging;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.IntegrationTests.RateLimiting;
using Switchboard.IntegrationTests.Sessions;
using Switchboard.Testing.Telegram;

namespace Switchboard.IntegrationTests.Telegram;

/// <summary>Every log line of a whole Telegram call, at Trace level, carries none of the channel's secrets.</summary>
public sealed class TelegramSecretsInLogsTests
{
    [Fact]
    public async Task WholeCall_AtTraceLevel_LogsNoTokenSecretInitDataOrLaunchToken()
    {
        await using var bot = await FakeBotApi.StartAsync();
        var logs = new LogCapture();
        var settings = new Dictionary<string, string?>
        {
            ["Switchboard:Telegram:BotToken"] = bot.Token,
            ["Switchboard:Telegram:ApiBaseUrl"] = bot.BaseUrl,
            ["Switchboard:Telegram:AllowedUserIds"] = "42",
            ["Switchboard:Telegram:PollTimeoutSeconds"] = "1",
            ["Switchboard:Realtime:ControlSecret"] = TelegramGateway.Secret,
            ["Logging:LogLevel:Default"] = "Trace",
        };
        await using var gateway = await GatewayFixture.StartAsync(settings, b => b.Logging.AddProvider(logs));
        await using var bridge = await SessionTestClient.ConnectAsync(gateway.WebSocketUrl("/ws/bridge?secret=" + TelegramGateway.Secret));
        await bridge.SendAsync("""{"type":"bind","threadId":"t"}""");
        await bridge.SendAsync("""{"type":"arm"}""");
        await bridge.WaitForTypeAsync("surface.armed");

        bot.SendText(42, 42, "/call");
        var url = FakeBotApi.WebAppUrl(await bot.NextMessageAsync())!;
        var launchToken = Uri.UnescapeDataString(url[(url.IndexOf("launch=", StringComparison.Ordinal) + "launch=".Length)..]);
        var initData = InitDataSigner.Sign(bot.Token, 42, DateTimeOffset.UtcNow);
        using var http = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl) };
        using var response = await http.PostAsync("/api/call/bootstrap", new StringContent(
            System.Text.Json.JsonSerializer.Serialize(new { launchToken, initData }), System.Text.Encoding.UTF8, "application/json"));
        var boot = await TelegramGateway.ReadAsync(response, 200);
        // No public origin is configured: the socket URL is the request's own host.
        await using (var call = await SessionTestClient.ConnectAsync(boot.GetProperty("wsUrl").GetString()!))
        {
            await call.WaitForTypeAsync("status");
            await call.SendAsync("""{"type":"hangup"}""");
            await bridge.WaitForTypeAsync("call.ended");
        }

        var lines = logs.Lines;
        Assert.Contains(lines, l => l.EventId == 1011); // the bootstrap was logged
        var secret = bot.Token[(bot.Token.IndexOf(':', StringComparison.Ordinal) + 1)..];
        foreach (var (id, category, text) in lines)
        {
            Assert.False(text.Contains(secret, StringComparison.Ordinal), $"the bot token is in a log line ({category}[{id}]): {text}");
            Assert.False(text.Contains(TelegramGateway.Secret, StringComparison.Ordinal), $"the control secret is in a log line ({category}[{id}]): {text}");
            Assert.False(text.Contains(launchToken, StringComparison.Ordinal), $"the launch token is in a log line ({category}[{id}]): {text}");
            Assert.False(text.Contains("hash=", StringComparison.Ordinal), $"initData is in a log line ({category}[{id}]): {text}");
        }
    }
}
