using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Switchboard.Calls;
using Switchboard.Configuration;
using Switchboard.Telegram;

namespace Switchboard.Server.Telegram;

/// <summary>
/// Runs the channel beside the gateway: (1) at start, the bridge's endpoint is written (after the store's start-up);
/// (2) the managed tunnel, when configured, once the gateway listens; (3) the bot (polling or webhook); (4) every second the
/// surface's housekeeping (stale leases, auto-disarm), and every hour the pruning of expired launch tokens.
/// </summary>
internal sealed partial class TelegramService : BackgroundService
{
    private readonly SwitchboardOptions _options;
    private readonly BridgeEndpoint _endpoint;
    private readonly CallSurface _surface;
    private readonly CallRegistry _calls;
    private readonly ILaunchTokenStore _tokens;
    private readonly PublicOrigin _origin;
    private readonly IServiceProvider _services;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public TelegramService(IOptions<SwitchboardOptions> options, BridgeEndpoint endpoint, CallSurface surface, CallRegistry calls, ILaunchTokenStore tokens,
        PublicOrigin origin, IServiceProvider services, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<TelegramService> logger)
    {
        _options = options.Value;
        _endpoint = endpoint;
        _surface = surface;
        _calls = calls;
        _tokens = tokens;
        _origin = origin;
        _services = services;
        _lifetime = lifetime;
        _time = time;
        _logger = logger;
    }

    /// <summary>The URL the bot's webhook is set to: <c>Telegram:WebhookUrl</c>, or the public origin's <c>/telegram/webhook</c>.</summary>
    public static string? WebhookUrl(SwitchboardOptions options, PublicOrigin origin)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(origin);
        return !string.IsNullOrWhiteSpace(options.Telegram.WebhookUrl) ? options.Telegram.WebhookUrl
            : origin.Current is { } current ? current + TelegramEndpoints.WebhookPath : null;
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // (1) Before Kestrel takes traffic: a bootstrap must find the endpoint.
        var endpoint = await _endpoint.EnsureAsync(cancellationToken).ConfigureAwait(false);
        LogEndpointReady(_logger, endpoint.Name, endpoint.Id);
        var telegram = _options.Telegram;
        LogChannel(_logger, telegram.IsEnabled ? telegram.Mode : "no bot token", telegram.AllowedUsers.Count, _origin.Current ?? $"({_origin.Mode}: none yet)");
        if (string.IsNullOrEmpty(_options.Realtime.ControlSecret) || telegram.AllowedUsers.Count + telegram.AllowedChats.Count == 0)
        {
            LogNotCallable(_logger, string.IsNullOrEmpty(_options.Realtime.ControlSecret) ? "REALTIME_CONTROL_SECRET is not set, so no bridge can connect" : "no user or chat is allowed (TELEGRAM_ALLOWED_USER_IDS)");
        }
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var tasks = new List<Task> { Guard("housekeeping", HousekeepAsync(stoppingToken), stoppingToken) };
        if (_origin.Mode == "managed-quick-tunnel")
        {
            tasks.Add(Guard("tunnel", RunTunnelAsync(stoppingToken), stoppingToken));
        }

        if (_services.GetService<TelegramBot>() is { } bot)
        {
            tasks.Add(Guard("bot", RunBotAsync(bot, stoppingToken), stoppingToken));
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    /// <summary>A failure of one part is logged and ends that part only: an exception out of a hosted service would stop the whole gateway.</summary>
    private async Task Guard(string part, Task task, CancellationToken stoppingToken)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            LogPartFailed(_logger, part, ex);
        }
    }

    private async Task RunBotAsync(TelegramBot bot, CancellationToken stoppingToken)
    {
        await WhenStartedAsync(stoppingToken).ConfigureAwait(false);
        var webhook = _options.Telegram.Mode == "webhook" ? await WaitForWebhookUrlAsync(stoppingToken).ConfigureAwait(false) : null;
        if (!stoppingToken.IsCancellationRequested)
        {
            await bot.RunAsync(webhook, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>In webhook mode over a managed tunnel the URL exists only once the tunnel has printed it.</summary>
    private async Task<string?> WaitForWebhookUrlAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            if (WebhookUrl(_options, _origin) is { } url)
            {
                return url;
            }

            await DelayAsync(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(false);
        }

        return null;
    }

    private async Task RunTunnelAsync(CancellationToken stoppingToken)
    {
        await WhenStartedAsync(stoppingToken).ConfigureAwait(false);
        var port = _options.Realtime.TunnelPort;
        if (port == 0)
        {
            var address = _services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
            port = address is not null && Uri.TryCreate(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("*", "127.0.0.1", StringComparison.Ordinal)
                .Replace("+", "127.0.0.1", StringComparison.Ordinal), UriKind.Absolute, out var uri) ? uri.Port : 5050;
        }

        await _services.GetRequiredService<QuickTunnel>().RunAsync(port, stoppingToken).ConfigureAwait(false);
    }

    private async Task HousekeepAsync(CancellationToken stoppingToken)
    {
        var nextPrune = _time.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _surface.SweepAsync(callId => _calls.TryGet(callId, out _)).ConfigureAwait(false);
                if (_time.GetUtcNow() >= nextPrune)
                {
                    nextPrune = _time.GetUtcNow().AddHours(1);
                    await _tokens.PruneLaunchTokensAsync(_time.GetUtcNow().AddMinutes(-5), stoppingToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogHousekeepingFailed(_logger, ex.GetType().Name, ex.Message);
            }

            await DelayAsync(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(false);
        }
    }

    private async Task WhenStartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = _lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        using var stopping = stoppingToken.Register(() => started.TrySetResult());
        await started.Task.ConfigureAwait(false);
    }

    private async Task DelayAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(EventId = Switchboard.Diagnostics.EventIds.TelegramEndpointReady, Level = LogLevel.Information, Message = "Telegram calls run on endpoint {EndpointName} ({EndpointId})")]
    private static partial void LogEndpointReady(ILogger logger, string endpointName, Guid endpointId);

    [LoggerMessage(EventId = Switchboard.Diagnostics.EventIds.TelegramChannelStarted, Level = LogLevel.Information, Message = "Telegram calls are on: bot {BotMode}, {AllowedUsers} allowed user(s), Mini App origin {Origin}; switchboard ctl capabilities says what is not ready")]
    private static partial void LogChannel(ILogger logger, string botMode, int allowedUsers, string origin);

    [LoggerMessage(EventId = Switchboard.Diagnostics.EventIds.TelegramNotCallable, Level = LogLevel.Warning, Message = "Telegram calls cannot start yet: {Reason}")]
    private static partial void LogNotCallable(ILogger logger, string reason);

    [LoggerMessage(EventId = Switchboard.Diagnostics.EventIds.TelegramPartFailed, Level = LogLevel.Error, Message = "Telegram {Part} stopped after an unexpected error; the rest of the gateway runs on")]
    private static partial void LogPartFailed(ILogger logger, string part, Exception exception);

    [LoggerMessage(EventId = Switchboard.Diagnostics.EventIds.TelegramHousekeepingFailed, Level = LogLevel.Warning, Message = "Telegram housekeeping failed ({ErrorType}: {Error}); trying again in a second")]
    private static partial void LogHousekeepingFailed(ILogger logger, string errorType, string error);
}
