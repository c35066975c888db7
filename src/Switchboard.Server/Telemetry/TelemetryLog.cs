using Switchboard.Diagnostics;

namespace Switchboard.Server.Telemetry;

/// <summary>The telemetry's start-up lines: where the metrics are served, and whether (and where) OTLP export goes.</summary>
internal static partial class TelemetryLog
{
    public const string Category = "Switchboard.Server.Telemetry";

    [LoggerMessage(EventId = EventIds.TelemetryMetricsServed, Level = LogLevel.Information,
        Message = "Prometheus metrics at {Path} ({Who})")]
    public static partial void MetricsServed(ILogger logger, string path, string who);

    [LoggerMessage(EventId = EventIds.TelemetryOtlpExport, Level = LogLevel.Information,
        Message = "OpenTelemetry traces and metrics exported over OTLP ({Protocol}) to {Endpoint}")]
    public static partial void OtlpExport(ILogger logger, string protocol, string endpoint);
}
