namespace Switchboard.Configuration;

/// <summary>
/// The Prometheus scrape endpoint (section <c>Switchboard:Metrics</c>; docs/observability.md). On by default, answered only to
/// loopback callers; exposing it elsewhere needs <see cref="AllowRemote"/> and either a scrape key or a port of its own.
/// </summary>
public sealed record MetricsOptions
{
    /// <summary>The shortest scrape key accepted: a bearer secret, not a password someone chose.</summary>
    public const int MinApiKeyLength = 24;

    /// <summary>Serves the metrics in the Prometheus text format at <see cref="Path"/> (default true).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Where the metrics are served (default <c>/metrics</c>).</summary>
    public string Path { get; init; } = "/metrics";

    /// <summary>
    /// Answers scrapers that are not on this machine. Off by default (loopback only). When on, <see cref="ApiKey"/> or
    /// <see cref="Port"/> must be set: a remote scraper then sends <c>Authorization: Bearer &lt;ApiKey&gt;</c>, or reaches
    /// the metrics only through the port kept for them (which the operator keeps off the public network).
    /// </summary>
    public bool AllowRemote { get; init; }

    /// <summary>The bearer key remote scrapers must send (at least <see cref="MinApiKeyLength"/> characters). Loopback scrapers need none.</summary>
    public string? ApiKey { get; init; }

    /// <summary>
    /// When set, the metrics are answered only on this local port (add it to the listen URLs, e.g.
    /// <c>--urls "http://0.0.0.0:5050;http://0.0.0.0:9464"</c>), and nothing else changes on the other ports. 0: any port.
    /// </summary>
    public int Port { get; init; }

    /// <summary>Every problem with these options, each naming its key under <paramref name="prefix"/>.</summary>
    public IEnumerable<string> Validate(string prefix)
    {
        if (string.IsNullOrWhiteSpace(Path) || !Path.StartsWith('/') || Path.Length < 2 || Path.Contains('?', StringComparison.Ordinal) || Path.Contains('#', StringComparison.Ordinal))
        {
            yield return $"{prefix}:Path must be an absolute path such as /metrics (got '{Path}').";
        }
        else if (Path.StartsWith("/api/", StringComparison.OrdinalIgnoreCase) || Path.Equals("/health", StringComparison.OrdinalIgnoreCase) || Path.Equals("/ops", StringComparison.OrdinalIgnoreCase))
        {
            yield return $"{prefix}:Path must not be a path the gateway already serves (got '{Path}'); use /metrics.";
        }

        if (Port is < 0 or > 65535)
        {
            yield return $"{prefix}:Port must be between 1 and 65535, or 0 for any port (got {Port}).";
        }

        if (ApiKey is { } key && key.Length < MinApiKeyLength)
        {
            yield return $"{prefix}:ApiKey must be at least {MinApiKeyLength} characters (a random secret, e.g. openssl rand -hex 24).";
        }

        if (Enabled && AllowRemote && string.IsNullOrEmpty(ApiKey) && Port == 0)
        {
            yield return $"{prefix}:AllowRemote exposes the metrics beyond this machine: also set {prefix}:ApiKey (scrapers send it as a bearer token) " +
                $"or {prefix}:Port (a port kept for the metrics), or turn AllowRemote off.";
        }
    }
}
