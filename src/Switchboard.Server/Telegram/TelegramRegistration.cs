using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Switchboard.Configuration;
using Switchboard.Journal;
using Switchboard.Server.Sessions;
using Switchboard.Storage;
using Switchboard.Telegram;

namespace Switchboard.Server.Telegram;

/// <summary>Registers the Telegram channel (docs/telegram.md); everything but the state is off unless realtime calling is enabled.</summary>
internal static class TelegramRegistration
{
    public static IServiceCollection AddTelegram(this IServiceCollection services, SwitchboardOptions options)
    {
        services.TryAddSingleton<RedisTelegramState>();
        // With Switchboard:Redis the surface (arming, thread, the one-live-call lease) is shared by every node (docs/cluster.md).
        services.TryAddSingleton(sp => new CallSurface(sp.GetRequiredService<IOptions<SwitchboardOptions>>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<SwitchboardOptions>>().Value.Redis.Enabled ? sp.GetRequiredService<RedisTelegramState>() : null,
            sp.GetRequiredService<ILogger<CallSurface>>()));
        services.TryAddSingleton<PublicOrigin>();
        services.TryAddSingleton<BootstrapLimits>();
        services.TryAddSingleton<WebhookUpdates>();
        services.TryAddSingleton<BridgeEndpoint>();
        services.TryAddSingleton<QuickTunnel>();
        services.TryAddSingleton<IReadiness, TelegramReadiness>();
        services.TryAddSingleton<ILaunchKeySource>(sp => sp.GetRequiredService<SessionTokenSource>());
        services.TryAddSingleton<ILaunchTokenStore>(sp => sp.GetRequiredService<IStore>());
        // Without the factory's request logging: Bot API URLs carry the bot token in their path (/bot<token>/getMe).
        services.AddHttpClient(nameof(TelegramReadiness)).RemoveAllLoggers();
        services.AddHttpClient(nameof(TelegramBot), http => http.Timeout = TimeSpan.FromSeconds(options.Telegram.PollTimeoutSeconds + 30)).RemoveAllLoggers();
        if (!options.Realtime.IsEnabled(options.Telegram))
        {
            return services;
        }

        if (options.Telegram.IsEnabled)
        {
            services.TryAddSingleton(sp =>
            {
                var telegram = sp.GetRequiredService<IOptions<SwitchboardOptions>>().Value.Telegram;
                return new InitDataVerifier(telegram.BotToken!, telegram.SignatureKeys, TimeSpan.FromSeconds(telegram.InitDataMaxAgeSeconds), sp.GetRequiredService<TimeProvider>());
            });
            services.TryAddSingleton(sp => new TelegramBot(sp.GetRequiredService<IOptions<SwitchboardOptions>>(), sp.GetRequiredService<CallSurface>(),
                sp.GetRequiredService<PublicOrigin>(), sp.GetRequiredService<ILaunchKeySource>(), sp.GetRequiredService<IReadiness>(),
                sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(TelegramBot)), sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<TelegramBot>>()));
        }

        TapJournal(services);
        services.AddHostedService<TelegramService>();
        return services;
    }

    /// <summary>Wraps the registered journal in a <see cref="CallEventTap"/>, so a bridge can follow its calls' events live.</summary>
    private static void TapJournal(IServiceCollection services)
    {
        var descriptor = services.LastOrDefault(d => d.ServiceType == typeof(ICallJournal));
        if (descriptor is null || descriptor.IsKeyedService)
        {
            return;
        }

        services.Remove(descriptor);
        services.AddSingleton<ICallJournal>(sp => descriptor switch
        {
            { ImplementationInstance: ICallJournal instance } => new CallEventTap(instance, ownsInner: false),
            { ImplementationFactory: { } factory } => new CallEventTap((ICallJournal)factory(sp), ownsInner: true),
            _ => new CallEventTap((ICallJournal)ActivatorUtilities.CreateInstance(sp, descriptor.ImplementationType!), ownsInner: true),
        });
    }
}
