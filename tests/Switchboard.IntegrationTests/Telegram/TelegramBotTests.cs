using System.Net;
using System.Text;
using Switchboard.Server.Telegram;
using Switchboard.Testing.Telegram;

namespace Switchboard.IntegrationTests.Telegram;

/// <summary>The bot against a local fake of the Bot API: long polling, commands, the <c>web_app</c> button, webhook mode.</summary>
public sealed class TelegramBotTests : IAsyncLifetime
{
    private TelegramGateway _tg = null!;

    public async Task InitializeAsync() => _tg = await TelegramGateway.StartAsync();

    public async Task DisposeAsync() => await _tg.DisposeAsync();

    [Fact]
    public async Task Call_FromAllowedUserInPrivateChat_SendsWebAppButtonWhoseTokenBootstrapsOnce()
    {
        _tg.Reset();
        _tg.Origin.Set(_tg.Gateway.BaseUrl);
        _tg.Ready();

        _tg.Bot.SendText(TelegramGateway.Allowed, TelegramGateway.Allowed, "/call");
        var message = await _tg.Bot.NextMessageAsync();

        Assert.Equal(TelegramGateway.Allowed, message["chat_id"]!.GetValue<long>());
        var url = FakeBotApi.WebAppUrl(message);
        Assert.NotNull(url);
        Assert.StartsWith(_tg.Gateway.BaseUrl + "/miniapp?launch=", url, StringComparison.Ordinal);
        var token = Uri.UnescapeDataString(url[(url.IndexOf("launch=", StringComparison.Ordinal) + "launch=".Length)..]);
        // The page the button opens is served and loads Telegram's script.
        using var http = new HttpClient();
        var page = await http.GetStringAsync(url);
        Assert.Contains("telegram-web-app.js", page, StringComparison.Ordinal);

        using var first = await _tg.BootstrapAsync(token, _tg.InitData());
        await TelegramGateway.ReadAsync(first, 200);
        _tg.Surface.Release(_tg.Surface.Lease!.SessionId);
        using var second = await _tg.BootstrapAsync(token, _tg.InitData());
        await TelegramGateway.AssertRefusedAsync(second, 409, CallRefusal.LaunchTokenUsed);
    }

    [Fact]
    public async Task Call_WhenNotReady_StillSendsTheButtonAndSaysWhatIsMissing()
    {
        _tg.Reset();

        _tg.Bot.SendText(TelegramGateway.Allowed, TelegramGateway.Allowed, "/call@switchboard_test_bot");
        var message = await _tg.Bot.NextMessageAsync();

        Assert.NotNull(FakeBotApi.WebAppUrl(message));
        var text = message["text"]!.GetValue<string>();
        Assert.Contains("Not ready yet", text, StringComparison.Ordinal);
        Assert.Contains("armed", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_FromStranger_IsRefusedWithoutButton()
    {
        _tg.Bot.SendText(TelegramGateway.Stranger, TelegramGateway.Stranger, "/call");
        var message = await _tg.Bot.NextMessageAsync();

        Assert.Equal(TelegramGateway.Stranger, message["chat_id"]!.GetValue<long>());
        Assert.Null(message["reply_markup"]);
        Assert.Contains("not allowed", message["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_InAGroup_SendsTheUserToAPrivateChatWithoutButton()
    {
        _tg.Bot.SendText(TelegramGateway.Allowed, -100555, "/call", chatType: "group");
        var message = await _tg.Bot.NextMessageAsync();

        Assert.Null(message["reply_markup"]);
        Assert.Contains("private chat", message["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StatusHangupCapabilities_AnswerAllowedUser()
    {
        _tg.Reset();

        _tg.Bot.SendText(TelegramGateway.Allowed, TelegramGateway.Allowed, "/status");
        Assert.Contains("not armed", (await _tg.Bot.NextMessageAsync())["text"]!.GetValue<string>(), StringComparison.Ordinal);
        _tg.Bot.SendText(TelegramGateway.Allowed, TelegramGateway.Allowed, "/hangup");
        Assert.Equal("No call of yours is live.", (await _tg.Bot.NextMessageAsync())["text"]!.GetValue<string>());
        _tg.Bot.SendText(TelegramGateway.Allowed, TelegramGateway.Allowed, "/capabilities");
        var capabilities = (await _tg.Bot.NextMessageAsync())["text"]!.GetValue<string>();
        Assert.Contains("✓ bot_token: getMe: @switchboard_test_bot", capabilities, StringComparison.Ordinal);
        Assert.Contains("✓ bot_updates: long polling", capabilities, StringComparison.Ordinal);
        Assert.Contains("✗ armed", capabilities, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WebhookMode_SetsWebhookWithSecretAndChecksTheHeader()
    {
        await using var tg = await TelegramGateway.StartAsync(new Dictionary<string, string?>
        {
            ["Switchboard:Telegram:Mode"] = "webhook",
            ["Switchboard:Telegram:WebhookSecret"] = "hook-secret_123",
            ["Switchboard:Telegram:WebhookUrl"] = "https://gw.example.com/telegram/webhook",
        });
        await WaitUntilAsync(() => tg.Bot.WebhookUrl.Length > 0);
        Assert.Equal("https://gw.example.com/telegram/webhook", tg.Bot.WebhookUrl);
        Assert.Equal("hook-secret_123", tg.Bot.WebhookSecret);
        Assert.Equal(0, tg.Bot.Polls);
        using var http = new HttpClient { BaseAddress = new Uri(tg.Gateway.BaseUrl) };

        using var wrong = new HttpRequestMessage(HttpMethod.Post, "/telegram/webhook") { Content = new StringContent(FakeBotApi.UpdateJson(5, TelegramGateway.Allowed, "/hangup"), Encoding.UTF8, "application/json") };
        wrong.Headers.Add("X-Telegram-Bot-Api-Secret-Token", "hook-secret_124");
        using var refused = await http.SendAsync(wrong);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        for (var i = 0; i < 2; i++)
        {
            // The second is a redelivery of the same update: acknowledged, not handled again.
            using var right = new HttpRequestMessage(HttpMethod.Post, "/telegram/webhook") { Content = new StringContent(FakeBotApi.UpdateJson(6, TelegramGateway.Allowed, "/hangup"), Encoding.UTF8, "application/json") };
            right.Headers.Add("X-Telegram-Bot-Api-Secret-Token", "hook-secret_123");
            using var accepted = await http.SendAsync(right);
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        Assert.Equal("No call of yours is live.", (await tg.Bot.NextMessageAsync())["text"]!.GetValue<string>());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => tg.Bot.NextMessageAsync(TimeSpan.FromMilliseconds(500)));

        // Readiness reads the webhook back from getWebhookInfo.
        using var control = tg.Control();
        using var capabilities = await control.GetAsync("/api/capabilities");
        var updates = (await TelegramGateway.ReadAsync(capabilities, 200)).GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "bot_updates");
        Assert.True(updates.GetProperty("ok").GetBoolean(), updates.GetRawText());
        Assert.Equal("webhook set to https://gw.example.com/telegram/webhook", updates.GetProperty("detail").GetString());
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 10 s");
            await Task.Delay(20);
        }
    }
}
