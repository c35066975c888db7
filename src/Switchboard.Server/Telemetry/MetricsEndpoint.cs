using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Switchboard.Configuration;

namespace Switchboard.Server.Telemetry;

/// <summary>
/// <c>GET /metrics</c> (<c>Switchboard:Metrics:Path</c>): the Prometheus text format, answered to loopback callers; to others
/// only when <c>AllowRemote</c> is on and they bring the scrape key, or come in on the metrics port.
/// </summary>
internal static class MetricsEndpoint
{
    /// <summary>Maps the scrape endpoint when metrics are enabled.</summary>
    public static void Map(IEndpointRouteBuilder routes)
    {
        var options = routes.ServiceProvider.GetRequiredService<IOptions<SwitchboardOptions>>().Value.Metrics;
        var logger = routes.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(TelemetryLog.Category);
        var configuration = routes.ServiceProvider.GetRequiredService<IConfiguration>();
        if (configuration[TelemetryExtensions.OtlpEndpointVariable] is { Length: > 0 } otlp)
        {
            // The endpoint's scheme, host and port only: a path or query may carry a collector's token.
            var where = Uri.TryCreate(otlp, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority) : "(invalid URL)";
            TelemetryLog.OtlpExport(logger, configuration["OTEL_EXPORTER_OTLP_PROTOCOL"] is { Length: > 0 } protocol ? protocol : "grpc", where);
        }

        if (!options.Enabled)
        {
            return;
        }

        TelemetryLog.MetricsServed(logger, options.Path, !options.AllowRemote ? "loopback callers only"
            : options.Port > 0 ? $"port {options.Port}" + (string.IsNullOrEmpty(options.ApiKey) ? "" : ", remote callers with the scrape key")
            : "remote callers with the scrape key");

        routes.MapPrometheusScrapingEndpoint(options.Path, meterProvider: null, configureBranchedPipeline: branch => branch.Use(async (context, next) =>
        {
            var status = Check(context.Connection, context.Request.Headers.Authorization.ToString(), options);
            if (status != StatusCodes.Status200OK)
            {
                context.Response.StatusCode = status;
                if (status == StatusCodes.Status401Unauthorized)
                {
                    context.Response.Headers.WWWAuthenticate = "Bearer";
                }

                return;
            }

            await next(context).ConfigureAwait(false);
        }), optionsName: null)
            // Prometheus' format, not the REST API's: not in the OpenAPI document.
            .ExcludeFromDescription();
    }

    /// <summary>
    /// 200 when the caller may read the metrics; 404 on another port than the metrics port; 403 for a remote caller when
    /// remote scrapes are off; 401 for a remote caller without the scrape key.
    /// </summary>
    internal static int Check(ConnectionInfo connection, string authorization, MetricsOptions options)
    {
        if (options.Port > 0 && connection.LocalPort != options.Port)
        {
            return StatusCodes.Status404NotFound;
        }

        if (connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote))
        {
            return StatusCodes.Status200OK;
        }

        if (!options.AllowRemote)
        {
            return StatusCodes.Status403Forbidden;
        }

        if (string.IsNullOrEmpty(options.ApiKey))
        {
            // Validation allows this only with a metrics port of its own, checked above.
            return StatusCodes.Status200OK;
        }

        const string scheme = "Bearer ";
        if (!authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return StatusCodes.Status401Unauthorized;
        }

        var given = Encoding.UTF8.GetBytes(authorization[scheme.Length..].Trim());
        var expected = Encoding.UTF8.GetBytes(options.ApiKey);
        return CryptographicOperations.FixedTimeEquals(given, expected) ? StatusCodes.Status200OK : StatusCodes.Status401Unauthorized;
    }
}
