using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Switchboard.Configuration;
using Switchboard.Journal;
using Switchboard.Telemetry;

namespace Switchboard.Server.Telemetry;

/// <summary>
/// The gateway's telemetry (docs/observability.md): the instruments and the observed journal, the OpenTelemetry SDK with the
/// Prometheus exporter behind <c>/metrics</c> (<c>Switchboard:Metrics</c>), and OTLP export of traces and metrics when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the standard <c>OTEL_*</c> variables apply). Without an OTLP endpoint nothing is
/// exported and no span is created.
/// </summary>
internal static class TelemetryExtensions
{
    /// <summary>The standard variable that turns OTLP export on.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>
    /// Runtime gauges whose names end in <c>.count</c>: Prometheus reads a <c>_count</c> suffix as part of a histogram, and
    /// <c>promtool check metrics</c> rejects them, so they are exported under these names (docs/observability.md).
    /// </summary>
    internal static readonly IReadOnlyDictionary<string, string> RenamedGauges = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["dotnet.assembly.count"] = "dotnet.assemblies.loaded",
        ["dotnet.process.cpu.count"] = "dotnet.process.cpus",
        ["dotnet.thread_pool.thread.count"] = "dotnet.thread_pool.threads",
        ["dotnet.timer.count"] = "dotnet.timers",
        ["process.thread.count"] = "process.threads",
        ["process.unix.file_descriptor.count"] = "process.unix.file_descriptors",
        ["process.windows.handle.count"] = "process.windows.handles",
    };

    /// <summary>Requests that are not worth a span: scrapes, health probes, the static pages.</summary>
    private static readonly string[] UntracedPrefixes = ["/health", "/ready", "/metrics", "/ops/", "/app/", "/sdk/", "/favicon"];

    /// <summary>Registers the instruments, the observed journal and (as configured) the OpenTelemetry SDK.</summary>
    public static IServiceCollection AddSwitchboardTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(sp => new GatewayTelemetry(sp.GetService<IMeterFactory>()));
        services.TryAddSingleton<CallEventFeed>();
        services.TryAddSingleton<SessionTraces>();
        // Every journal write passes the telemetry first: the one place call metrics and the live feed come from.
        services.TryAddSingleton<StoreCallJournal>();
        services.TryAddSingleton<ICallJournal>(sp => new ObservedCallJournal(
            sp.GetRequiredService<StoreCallJournal>(), sp.GetRequiredService<GatewayTelemetry>(), sp.GetRequiredService<CallEventFeed>()));

        var options = configuration.GetSection(SwitchboardOptions.SectionName).Get<SwitchboardOptions>() ?? new SwitchboardOptions();
        var otlp = !string.IsNullOrWhiteSpace(configuration[OtlpEndpointVariable]);
        if (!options.Metrics.Enabled && !otlp)
        {
            return services;
        }

        var serviceName = configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : "switchboard";
        var version = typeof(TelemetryExtensions).Assembly.GetName().Version?.ToString();
        var sdk = services.AddOpenTelemetry().ConfigureResource(resource => resource.AddService(serviceName, serviceVersion: version));
        sdk.WithMetrics(metrics =>
        {
            metrics.AddMeter(TelemetryNames.Source)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddProcessInstrumentation()
                .AddView(instrument => RenamedGauges.TryGetValue(instrument.Name, out var renamed) ? new MetricStreamConfiguration { Name = renamed } : null);
            if (options.Metrics.Enabled)
            {
                metrics.AddPrometheusExporter();
            }

            if (otlp)
            {
                metrics.AddOtlpExporter();
            }
        });

        if (otlp)
        {
            sdk.WithTracing(tracing => tracing
                .AddSource(TelemetryNames.Source)
                .AddAspNetCoreInstrumentation(aspnet => aspnet.Filter = http => !UntracedPrefixes.Any(p => http.Request.Path.StartsWithSegments(p.TrimEnd('/'), StringComparison.OrdinalIgnoreCase)))
                .AddHttpClientInstrumentation()
                .AddOtlpExporter());
        }

        return services;
    }
}
