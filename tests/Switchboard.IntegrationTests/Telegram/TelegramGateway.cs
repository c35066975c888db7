using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.IntegrationTests.Sessions;
using Switchboard.Server.Sessions;
using Switchboard.Telegram;
using Switchboard.Testing.Telegram;

namespace Switchboard.IntegrationTests.Telegram;

/// <summary>
/// A real gateway with the Telegram channel on, against a <see cref="FakeBotApi"/>: user 42 is allowed, user 99 is not; the
/// control secret is <see cref="Secret"/>. Helpers issue launch tokens as the bot would, sign initData as Telegram would, and
/// bootstrap.
/// </summary>
internal sealed class TelegramGateway : IAsyncDisposable
{
    public const string Secret = "test-control-secret-0123456789";
    public const long Allowed = 42;
    public const long Stranger = 99;

    private TelegramGateway(GatewayFixture gateway, FakeBotApi bot)
    {
        Gateway = gateway;
        Bot = bot;
    }

    public GatewayFixture Gateway { get; }

    public FakeBotApi Bot { get; }

    public CallSurface Surface => Gateway.App.Services.GetRequiredService<CallSurface>();

    public PublicOrigin Origin => Gateway.App.Services.GetRequiredService<PublicOrigin>();

    public static async Task<TelegramGateway> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var bot = await FakeBotApi.StartAsync();
        var all = new Dictionary<string, string?>
        {
            ["Switchboard:Telegram:BotToken"] = bot.Token,
            ["Switchboard:Telegram:ApiBaseUrl"] = bot.BaseUrl,
            ["Switchboard:Telegram:AllowedUserIds"] = Allowed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Switchboard:Telegram:PollTimeoutSeconds"] = "2",
            ["Switchboard:Realtime:ControlSecret"] = Secret,
            // Unreachable until a test points it at the gateway (the port is known only once it listens).
            ["Switchboard:Realtime:PublicUrl"] = "http://127.0.0.1:9",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var gateway = await GatewayFixture.StartAsync(all);
        return new TelegramGateway(gateway, bot);
    }

    /// <summary>A launch token as the bot issues it (issued <paramref name="age"/> ago, default now).</summary>
    public async Task<string> LaunchTokenAsync(long userId = Allowed, long? chatId = null, TimeSpan? age = null, int ttlSeconds = 120)
    {
        var key = await Gateway.App.Services.GetRequiredService<SessionTokenSource>().GetLaunchTokenKeyAsync(CancellationToken.None);
        return LaunchTokens.Issue(key, "default", userId, chatId ?? userId, DateTimeOffset.UtcNow - (age ?? TimeSpan.Zero), TimeSpan.FromSeconds(ttlSeconds)).Token;
    }

    /// <summary>initData as Telegram signs it for <paramref name="userId"/> with this bot's token.</summary>
    public string InitData(long userId = Allowed, TimeSpan? age = null) => InitDataSigner.Sign(Bot.Token, userId, DateTimeOffset.UtcNow - (age ?? TimeSpan.FromSeconds(3)));

    public async Task<HttpResponseMessage> BootstrapAsync(string? launchToken, string? initData)
    {
        using var http = new HttpClient { BaseAddress = new Uri(Gateway.BaseUrl) };
        return await http.PostAsJsonAsync("/api/call/bootstrap", new { launchToken, initData });
    }

    /// <summary>Arms the surface and binds a thread (the state in which a bootstrap can succeed).</summary>
    public void Ready(string thread = "thread-1")
    {
        Surface.Bind(thread);
        Surface.Arm("test");
    }

    /// <summary>Back to a disarmed surface with no call and no thread (tests of one class share a gateway).</summary>
    public void Reset()
    {
        Surface.Disarm("test reset");
        if (Surface.Lease is { } lease)
        {
            Surface.Release(lease.SessionId);
        }
    }

    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response, int expectedStatus)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == expectedStatus, $"expected {expectedStatus}, got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Checks a refusal: its status, <c>{"error": code, "message": …}</c>, never a 5xx.</summary>
    public static async Task<JsonElement> AssertRefusedAsync(HttpResponseMessage response, int status, string code)
    {
        var body = await ReadAsync(response, status);
        Assert.Equal(code, body.GetProperty("error").GetString());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("message").GetString()));
        return body;
    }

    /// <summary>A bridge connected to <c>/ws/bridge</c> with the secret, past its hello.</summary>
    public async Task<SessionTestClient> ConnectBridgeAsync()
    {
        var bridge = await SessionTestClient.ConnectAsync(Gateway.WebSocketUrl("/ws/bridge?secret=" + Secret));
        await bridge.WaitForTypeAsync("hello");
        return bridge;
    }

    public HttpClient Control()
    {
        var http = new HttpClient { BaseAddress = new Uri(Gateway.BaseUrl) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Secret);
        return http;
    }

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Bot.DisposeAsync();
    }
}
