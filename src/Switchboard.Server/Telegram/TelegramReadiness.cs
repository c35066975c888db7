using System.Globalization;
using Microsoft.Extensions.Options;
using Switchboard.Configuration;
using Switchboard.Journal;
using Switchboard.Limits;
using Switchboard.Telegram;
using Telegram.Bot;

namespace Switchboard.Server.Telegram;

/// <summary>
/// The readiness list, each check live when asked (so it flips as soon as its condition does): realtime calling enabled;
/// the gateway healthy; the bridge's control channel connected; the surface armed; the public origin reachable (the gateway
/// fetches its own <c>/healthz</c> through it); the bot token valid (<c>getMe</c>) and updates arriving (polling, or
/// <c>getWebhookInfo</c> showing our URL without a recent error); a thread bound; budget left today; a backend and the control
/// secret configured.
/// </summary>
internal sealed class TelegramReadiness : IReadiness
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    private readonly SwitchboardOptions _options;
    private readonly CallSurface _surface;
    private readonly PublicOrigin _origin;
    private readonly IServiceProvider _services;
    private readonly ICallJournal _journal;
    private readonly DrainState _drain;
    private readonly UsageLedger _ledger;
    private readonly TeamLimitsCache _teams;
    private readonly BridgeEndpoint _endpoint;
    private readonly IHttpClientFactory _http;
    private readonly TimeProvider _time;

    public TelegramReadiness(IOptions<SwitchboardOptions> options, CallSurface surface, PublicOrigin origin, IServiceProvider services, ICallJournal journal,
        DrainState drain, UsageLedger ledger, TeamLimitsCache teams, BridgeEndpoint endpoint, IHttpClientFactory http, TimeProvider time)
    {
        _options = options.Value;
        _surface = surface;
        _origin = origin;
        _services = services;
        _journal = journal;
        _drain = drain;
        _ledger = ledger;
        _teams = teams;
        _endpoint = endpoint;
        _http = http;
        _time = time;
    }

    public async Task<IReadOnlyList<ReadinessCheck>> CheckAsync(CancellationToken cancellationToken)
    {
        var realtime = _options.Realtime;
        var enabled = realtime.IsEnabled(_options.Telegram);
        var checks = new List<ReadinessCheck>
        {
            new("realtime_enabled", enabled, enabled ? "realtime calling is on" : "off: set TELEGRAM_BOT_TOKEN (or Switchboard:Realtime:Enabled=true)"),
            Healthy(),
            new("control_connected", _surface.IsControlConnected,
                _surface.IsControlConnected ? "the bridge is connected to /ws/bridge" : "no bridge is connected to /ws/bridge"),
            new("armed", _surface.IsArmed, _surface.IsArmed ? "the call surface is armed" : "not armed: switchboard ctl call arm (or the bridge's arm message)"),
            await OriginAsync(cancellationToken).ConfigureAwait(false),
        };
        checks.AddRange(await BotAsync(cancellationToken).ConfigureAwait(false));
        checks.Add(new ReadinessCheck("thread_bound", _surface.ThreadId is not null,
            _surface.ThreadId is { } thread ? $"thread {thread}" : "no thread bound: the bridge sends {\"type\":\"bind\",\"threadId\":…}"));
        checks.Add(await BudgetAsync(cancellationToken).ConfigureAwait(false));
        checks.Add(Backend());
        var hasSecret = !string.IsNullOrEmpty(realtime.ControlSecret);
        checks.Add(new ReadinessCheck("control_secret", hasSecret, hasSecret ? "REALTIME_CONTROL_SECRET is set" : "REALTIME_CONTROL_SECRET is not set: the bridge cannot connect"));
        return checks;
    }

    private ReadinessCheck Healthy()
    {
        if (_drain.IsDraining)
        {
            return new ReadinessCheck("gateway_healthy", false, "the gateway is draining for a restart");
        }

        var journal = _journal.Health;
        return new ReadinessCheck("gateway_healthy", journal.Ok, journal.Ok ? "journal and database are writable" : "journal: " + journal.Detail);
    }

    private async Task<ReadinessCheck> OriginAsync(CancellationToken cancellationToken)
    {
        if (_origin.Current is not { } origin)
        {
            return new ReadinessCheck("public_origin", false, _origin.Mode == "managed-quick-tunnel"
                ? "the tunnel has not printed its public URL yet"
                : "no public URL: set SWITCHBOARD_PUBLIC_URL (or Switchboard:Realtime:PublicUrl)");
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ProbeTimeout);
            using var response = await _http.CreateClient(nameof(TelegramReadiness)).GetAsync(origin + "/healthz", timeout.Token).ConfigureAwait(false);
            var ok = response.IsSuccessStatusCode;
            return new ReadinessCheck("public_origin", ok, ok ? $"{origin}/healthz answers" : $"{origin}/healthz answered {(int)response.StatusCode}");
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new ReadinessCheck("public_origin", false, $"{origin}/healthz is unreachable ({(ex is OperationCanceledException ? "no answer within 5 s" : ex.Message)})");
        }
    }

    private async Task<IReadOnlyList<ReadinessCheck>> BotAsync(CancellationToken cancellationToken)
    {
        if (_services.GetService<TelegramBot>() is not { } bot)
        {
            return [new("bot_token", false, "no bot: set TELEGRAM_BOT_TOKEN"), new("bot_updates", false, "no bot")];
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        ReadinessCheck token;
        try
        {
            var me = await bot.Client.GetMe(timeout.Token).ConfigureAwait(false);
            token = new ReadinessCheck("bot_token", true, $"getMe: @{me.Username}");
        }
        catch (Exception ex) when (ex is global::Telegram.Bot.Exceptions.RequestException or HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return [new("bot_token", false, "getMe failed: " + Redact(ex.Message)), new("bot_updates", false, "the Bot API is not answering")];
        }

        if (_options.Telegram.Mode != "webhook")
        {
            return [token, new("bot_updates", bot.IsPolling, bot.IsPolling ? "long polling" : "long polling is not running (see the log)")];
        }

        try
        {
            var info = await bot.Client.GetWebhookInfo(timeout.Token).ConfigureAwait(false);
            var expected = TelegramService.WebhookUrl(_options, _origin);
            var recentError = info.LastErrorDate is { } at && _time.GetUtcNow() - at < TimeSpan.FromMinutes(10);
            var ok = string.Equals(info.Url, expected, StringComparison.Ordinal) && !recentError;
            var detail = ok ? $"webhook set to {info.Url}"
                : recentError ? $"webhook error at {info.LastErrorDate!.Value.ToString("O", CultureInfo.InvariantCulture)}: {info.LastErrorMessage}"
                : $"webhook is '{info.Url}', expected '{expected}'";
            return [token, new("bot_updates", ok, detail)];
        }
        catch (Exception ex) when (ex is global::Telegram.Bot.Exceptions.RequestException or HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return [token, new("bot_updates", false, "getWebhookInfo failed: " + Redact(ex.Message))];
        }
    }

    private async Task<ReadinessCheck> BudgetAsync(CancellationToken cancellationToken)
    {
        var max = _options.Realtime.MaxDailyCallSeconds;
        if (max <= 0)
        {
            return new ReadinessCheck("budget_remaining", true, "no daily budget");
        }

        if (_endpoint.Current is not { } endpoint)
        {
            return new ReadinessCheck("budget_remaining", false, "the bridge's endpoint is not ready yet");
        }

        var team = await _teams.GetAsync(endpoint.TeamId, cancellationToken).ConfigureAwait(false);
        var scope = await _ledger.TodayAsync(endpoint.TeamId, endpoint.Id, team.Zone, cancellationToken).ConfigureAwait(false);
        var left = Math.Max(0, max - scope.Used().Seconds);
        return new ReadinessCheck("budget_remaining", left > 0, string.Create(CultureInfo.InvariantCulture, $"{left:0} of {max} call seconds left today"));
    }

    private ReadinessCheck Backend()
    {
        var kind = EffectiveBackend.Resolve(_options);
        return kind switch
        {
            BackendKind.OpenAI => new("backend", !string.IsNullOrWhiteSpace(_options.OpenAI.ApiKey), string.IsNullOrWhiteSpace(_options.OpenAI.ApiKey) ? "OPENAI_API_KEY is not set" : "OpenAI Realtime (OPENAI_API_KEY set)"),
            BackendKind.Azure => new("backend", !string.IsNullOrWhiteSpace(_options.Azure.ApiKey), "Azure OpenAI Realtime"),
            _ => new("backend", true, "the local echo backend (no OPENAI_API_KEY: the agent echoes)"),
        };
    }

    private string Redact(string message) => _options.Telegram.BotToken is { Length: > 0 } token ? message.Replace(token, "<bot token>", StringComparison.Ordinal) : message;
}
