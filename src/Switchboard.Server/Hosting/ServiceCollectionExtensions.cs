using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Switchboard.Agents;
using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Agents.Tools;
using Switchboard.Calls;
using Switchboard.Cluster;
using Switchboard.Carriers;
using Switchboard.Common;
using Switchboard.Configuration;
using Switchboard.Control;
using Switchboard.Server.Api;
using Switchboard.Server.Cluster;
using Switchboard.Server.Control;
using Switchboard.Server.Logging;
using Switchboard.Server.RateLimiting;
using Switchboard.Storage;
using Switchboard.LocalAgent.Hosting;
using Switchboard.Server.Sessions;
using Switchboard.Server.SipConnector;
using Switchboard.Server.Telegram;
using Switchboard.SipConnector;
using Switchboard.Server.Webhooks;
using Switchboard.Sessions;
using Switchboard.Webhooks;
using Switchboard.Journal;
using Switchboard.Limits;
using Switchboard.Network;
using Switchboard.Artifacts;
using Switchboard.Server.Telemetry;
using Switchboard.Telemetry;

namespace Switchboard.Server.Hosting;

/// <summary>The one DI entry point of the gateway. Defaults use <c>TryAdd*</c> so tests and hosts can replace them.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>Registers the gateway: validated options, the call path, the journal and the effective backend.</summary>
    public static IServiceCollection AddSwitchboard(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SwitchboardOptions>()
            .Bind(configuration.GetSection(SwitchboardOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SwitchboardOptions>, SwitchboardOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        // Every logger masks phone numbers and e-mail addresses before any provider sees a line (docs/configuration.md, Logging).
        services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(sp => new RedactingLoggerFactory(ActivatorUtilities.CreateInstance<LoggerFactory>(sp))));
        // The calls live here; with Switchboard:Redis each is also entered in the cluster registry (docs/cluster.md).
        services.TryAddSingleton<ClusterRegistry>();
        services.TryAddSingleton(sp => new CallRegistry(sp.GetRequiredService<ClusterRegistry>()));
        // The one outbound policy for tenant-chosen URLs: webhooks, HTTP tools, remote configuration (docs/security.md).
        services.TryAddSingleton(sp => OutboundPolicy.From(sp.GetRequiredService<IOptions<SwitchboardOptions>>().Value, sp.GetRequiredService<ILogger<OutboundPolicy>>()));
        // HTTP tools run here; built-ins (end_call, transfer_call) are run by each call itself, anything else gets "tool_not_available".
        services.TryAddSingleton<IToolInvoker>(sp => new HttpToolInvoker(
            sp.GetRequiredService<IOptions<SwitchboardOptions>>().Value.Tools, sp.GetRequiredService<OutboundPolicy>(), new NoToolsInvoker(), sp.GetRequiredService<ILogger<HttpToolInvoker>>()));
        // Ends and transfers carrier calls (built-in end_call / transfer_call): one HTTP client for the whole gateway.
        services.TryAddSingleton<ICarrierCallControl>(sp => new CarrierCallControl(
            sp.GetRequiredService<IOptions<SwitchboardOptions>>().Value, sp.GetRequiredService<ILogger<CarrierCallControl>>()));
        services.TryAddSingleton<IStore>(sp => StoreFactory.Create(sp.GetRequiredService<IOptions<SwitchboardOptions>>().Value.Storage, sp.GetRequiredService<CallPricing>()));
        // Each feature takes the narrow store interface it owns; all of them are the one store above.
        services.TryAddSingleton<IDatabase>(sp => sp.GetRequiredService<IStore>());
        services.TryAddSingleton<IControlPlaneStore>(sp => sp.GetRequiredService<IStore>());
        services.TryAddSingleton<ITeamStore>(sp => sp.GetRequiredService<IStore>());
        services.TryAddSingleton<IApiKeyStore>(sp => sp.GetRequiredService<IStore>());
        services.TryAddSingleton<ISessionStore>(sp => sp.GetRequiredService<IStore>());
        services.TryAddSingleton<Switchboard.Chatbot.IChatbotStore>(sp => sp.GetRequiredService<IStore>());
        services.TryAddSingleton<Switchboard.Chatbot.IInboundStream, Switchboard.Chatbot.InProcessInboundStream>();
        services.TryAddSingleton<ISettingStore>(sp => sp.GetRequiredService<IStore>());
        services.TryAddSingleton<IEndpointStore>(sp => sp.GetRequiredService<IStore>());
        services.TryAddSingleton<ICallStore>(sp => sp.GetRequiredService<IStore>());
        services.TryAddSingleton<IWebhookStore>(sp => sp.GetRequiredService<IStore>());
        // The admin rules the REST API shares with the CLI's local mode.
        services.TryAddSingleton<ApiKeyAdmin>();
        services.TryAddSingleton<EndpointAdmin>();
        services.TryAddSingleton<WebhookAdmin>();
        services.TryAddSingleton<TeamAdmin>();
        services.TryAddSingleton<UsageAdmin>();
        services.TryAddSingleton<ControlPlaneState>();
        services.TryAddSingleton(sp => new RemoteAgentConfig(
            sp.GetRequiredService<IOptions<SwitchboardOptions>>().Value.Tools, sp.GetRequiredService<OutboundPolicy>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<RemoteAgentConfig>>()));
        services.TryAddSingleton<IAgentResolver, StoreAgentResolver>();
        // The journal, observed by the telemetry (metrics, the live feed), and OpenTelemetry (docs/observability.md).
        services.AddSwitchboardTelemetry(configuration);
        // Prices for the post-call artifact's estimated cost (the store builds call.artifact bodies with them).
        services.TryAddSingleton(sp => new CallPricing(sp.GetRequiredService<IOptions<SwitchboardOptions>>().Value.Pricing));
        services.TryAddSingleton<RealtimeEndpointProvider>();
        services.TryAddSingleton<IRealtimeEndpointProvider>(sp => sp.GetRequiredService<RealtimeEndpointProvider>());
        // The one admission path and the one call engine, for every channel.
        // Limits (docs/limits.md): concurrency slots, daily usage, teams' limits, the drain flag; in-process on one node.
        services.TryAddSingleton<RedisConnection>();
        services.TryAddSingleton<RedisSlots>();
        // With Switchboard:Redis the team and endpoint caps are counted across nodes (docs/cluster.md); otherwise in-process only.
        services.TryAddSingleton(sp => new ConcurrencySlots(sp.GetRequiredService<IOptions<SwitchboardOptions>>().Value.Redis.Enabled ? sp.GetRequiredService<RedisSlots>() : null));
        services.TryAddSingleton<UsageLedger>();
        services.TryAddSingleton<TeamLimitsCache>();
        services.TryAddSingleton<DrainState>();
        services.TryAddSingleton<RedisBudgets>();
        // With Switchboard:Redis the daily budgets also count the other nodes' live and finished calls (docs/cluster.md).
        services.TryAddSingleton(sp => new AdmissionGate(sp.GetRequiredService<IOptions<SwitchboardOptions>>(), sp.GetRequiredService<ConcurrencySlots>(),
            sp.GetRequiredService<UsageLedger>(), sp.GetRequiredService<DrainState>(), sp.GetRequiredService<TeamLimitsCache>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<SwitchboardOptions>>().Value.Redis.Enabled ? sp.GetRequiredService<RedisBudgets>() : null));
        services.TryAddSingleton(sp => new CallAdmission(sp.GetRequiredService<IAgentResolver>(), sp.GetRequiredService<IRealtimeEndpointProvider>(),
            sp.GetRequiredService<RemoteAgentConfig>(), sp.GetRequiredService<AdmissionGate>(), sp.GetRequiredService<ICallJournal>(), sp.GetRequiredService<TimeProvider>()));
        // The agent leg of every call: a WebSocket to the endpoint's backend (tests may put another connector here).
        services.TryAddSingleton<IRealtimeConnector>(sp => new WebSocketRealtimeConnector(sp.GetRequiredService<IOptions<SwitchboardOptions>>().Value));
        services.TryAddSingleton<CallHost>();
        // Crash recovery at start-up (StoreStartup): closes the calls this node's previous run left open, node_lost.
        services.TryAddSingleton<NodeLostReaper>();
        // Calls through the OpenAI/Azure Realtime SIP connector: its REST client, the webhook ids seen, and the calls it runs.
        services.TryAddSingleton<ISipCallControl>(sp => new SipCallControl(
            sp.GetRequiredService<IOptions<SwitchboardOptions>>().Value, sp.GetRequiredService<ILogger<SipCallControl>>()));
        services.TryAddSingleton<ISipWebhookStore>(sp => sp.GetRequiredService<IStore>());
        services.TryAddSingleton(sp => new SipWebhookDeduplicator(sp.GetRequiredService<ISipWebhookStore>(),
            TimeSpan.FromHours(sp.GetRequiredService<IOptions<SwitchboardOptions>>().Value.Sip.DeduplicationHours),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<SipWebhookDeduplicator>>()));
        services.TryAddSingleton<SipCalls>();
        services.AddHostedService(sp => sp.GetRequiredService<SipCalls>());
        services.TryAddSingleton<SessionOwnership>();
        // With Switchboard:Redis a session's newer connection supersedes the older one on any node (docs/cluster.md).
        services.TryAddSingleton(sp => new SessionConnections(sp.GetRequiredService<ILogger<SessionConnections>>(),
            sp.GetRequiredService<IOptions<SwitchboardOptions>>().Value.Redis.Enabled ? sp.GetRequiredService<SessionOwnership>() : null));
        services.TryAddSingleton(sp => new WebhookDispatcher(
            sp.GetRequiredService<IWebhookStore>(),
            sp.GetRequiredService<IOptions<SwitchboardOptions>>().Value.Webhooks,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<WebhookDispatcher>>(),
            sp.GetRequiredService<OutboundPolicy>(),
            sp.GetRequiredService<GatewayTelemetry>(),
            reference => HandoffTarget.ResolveToken(reference, sp.GetRequiredService<IOptions<SwitchboardOptions>>().Value)));
        services.TryAddSingleton<SessionTokenSource>();
        services.AddSwitchboardRateLimits();
        services.AddProblemDetails();
        // Numbers are numbers: the web defaults would also read "20" as 20, and the OpenAPI schemas would say so.
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.NumberHandling = JsonNumberHandling.Strict);
        services.AddOpenApi(options => ApiDocument.Configure(options));

        // Migrate and create the default team/endpoint before Kestrel accepts traffic.
        services.AddHostedService<StoreStartup>();
        // With Switchboard:Redis: the node's lease, its calls' entries, forwarded commands and orphan reaping (docs/cluster.md).
        services.TryAddSingleton<ClusterControl>();
        services.AddHostedService<ClusterHeartbeat>();

        // Sends the webhook outbox (after StoreStartup has migrated the schema).
        services.AddHostedService<WebhookDispatcherService>();

        // The local backend runs in-process on its own loopback listener, only when it is the effective backend.
        var options = configuration.GetSection(SwitchboardOptions.SectionName).Get<SwitchboardOptions>() ?? new SwitchboardOptions();
        if (EffectiveBackend.Resolve(options) == BackendKind.Local)
        {
            services.TryAddSingleton(sp => LocalRealtimeHost.Create(
                sp.GetRequiredService<IOptions<SwitchboardOptions>>().Value.Local, 0, sp.GetRequiredService<ILoggerFactory>()));
            services.AddHostedService(sp => sp.GetRequiredService<LocalRealtimeHost>());
        }

        services.AddHostedService<StartupReport>();

        // Graceful drain: begun by the first SIGTERM/Ctrl+C (GatewayLifetime) or POST /api/v1/admin/drain.
        services.TryAddSingleton<DrainCoordinator>();
        services.AddHostedService(sp => sp.GetRequiredService<DrainCoordinator>());

        // Telegram bot and Mini App calls (docs/telegram.md): after the store's start-up, whose default team it uses.
        services.AddTelegram(options);
        return services;
    }
}
