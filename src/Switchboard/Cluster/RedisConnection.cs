using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Switchboard.Configuration;

namespace Switchboard.Cluster;

/// <summary>
/// The node's one Redis connection (<c>Switchboard:Redis:Configuration</c>), opened on first use and kept by
/// StackExchange.Redis, which reconnects by itself after an outage. Logs name the endpoints only, never the password.
/// </summary>
internal sealed class RedisConnection : IAsyncDisposable
{
    private readonly ConfigurationOptions? _config;
    private readonly ILogger<RedisConnection> _log;
    private readonly Lazy<Task<ConnectionMultiplexer>> _multiplexer;

    public RedisConnection(IOptions<SwitchboardOptions> options, ILogger<RedisConnection> log)
    {
        _log = log;
        var redis = options.Value.Redis;
        if (redis.Enabled)
        {
            _config = ConfigurationOptions.Parse(redis.Configuration!);
            // Start even while Redis is down; the multiplexer keeps trying and the outage policy decides meanwhile.
            _config.AbortOnConnectFail = false;
            Endpoints = string.Join(",", _config.EndPoints.Select(EndPointCollection.ToString));
        }

        _multiplexer = new Lazy<Task<ConnectionMultiplexer>>(ConnectAsync);
    }

    /// <summary>Whether shared state is configured.</summary>
    public bool Enabled => _config is not null;

    /// <summary>The configured endpoints (host:port list), safe to log.</summary>
    public string Endpoints { get; } = "";

    /// <summary>Whether the connection is open right now (false before the first use and during an outage).</summary>
    public bool IsConnected => _multiplexer.IsValueCreated && _multiplexer.Value.IsCompletedSuccessfully && _multiplexer.Value.Result.IsConnected;

    /// <summary>The database, or null while Redis is unreachable (callers apply the outage policy).</summary>
    public async Task<StackExchange.Redis.IDatabase?> DatabaseAsync()
    {
        if (_config is null)
        {
            return null;
        }

        var multiplexer = await _multiplexer.Value.ConfigureAwait(false);
        return multiplexer.IsConnected ? multiplexer.GetDatabase() : null;
    }

    /// <summary>Pings Redis: ok, or the reason it is failing.</summary>
    public async Task<(bool Ok, string Detail)> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            var db = await DatabaseAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            if (db is null)
            {
                return (false, "unreachable");
            }

            var rtt = await db.PingAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            return (true, $"ping {rtt.TotalMilliseconds:0.#} ms");
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return (false, Describe(ex));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (false, "no answer");
        }
    }

    /// <summary>A failure's kind for logs and health, without the exception message (which may echo the configuration).</summary>
    public static string Describe(Exception ex) => ex switch
    {
        RedisTimeoutException => "timeout",
        RedisConnectionException => "unreachable",
        RedisServerException => "server error",
        _ => ex.GetType().Name,
    };

    private async Task<ConnectionMultiplexer> ConnectAsync()
    {
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(_config!).ConfigureAwait(false);
        multiplexer.ConnectionFailed += (_, e) => RedisLog.ConnectionFailed(_log, e.EndPoint?.ToString() ?? Endpoints, e.FailureType.ToString());
        multiplexer.ConnectionRestored += (_, e) => RedisLog.ConnectionRestored(_log, e.EndPoint?.ToString() ?? Endpoints);
        RedisLog.Connected(_log, Endpoints, multiplexer.IsConnected);
        return multiplexer;
    }

    public async ValueTask DisposeAsync()
    {
        if (_multiplexer.IsValueCreated && _multiplexer.Value.IsCompletedSuccessfully)
        {
            await _multiplexer.Value.Result.DisposeAsync().ConfigureAwait(false);
        }
    }
}
