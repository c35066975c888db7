using Switchboard.Configuration;

namespace Switchboard.Backends.OpenAIRealtime;

/// <summary>The gateway's agent-leg connector: a client WebSocket to the endpoint, within the configured connect timeout.</summary>
internal sealed class WebSocketRealtimeConnector : IRealtimeConnector
{
    private readonly int _maxMessageBytes;
    private readonly TimeSpan _timeout;
    private readonly TimeSpan _keepAlive;
    private readonly TimeSpan _keepAliveTimeout;

    public WebSocketRealtimeConnector(int maxMessageBytes, TimeSpan timeout, TimeSpan? keepAlive = null, TimeSpan? keepAliveTimeout = null)
    {
        _maxMessageBytes = maxMessageBytes;
        _timeout = timeout;
        _keepAlive = keepAlive ?? TimeSpan.FromSeconds(5);
        _keepAliveTimeout = keepAliveTimeout ?? TimeSpan.FromSeconds(5);
    }

    /// <summary>With <c>Bridge:MaxBackendMessageBytes</c>, <c>Backend:ConnectTimeoutSeconds</c>, <c>Backend:KeepAliveSeconds</c> and <c>Backend:KeepAliveTimeoutSeconds</c>.</summary>
    public WebSocketRealtimeConnector(SwitchboardOptions options)
        : this(options.Bridge.MaxBackendMessageBytes, TimeSpan.FromSeconds(options.Backend.ConnectTimeoutSeconds),
            TimeSpan.FromSeconds(options.Backend.KeepAliveSeconds), TimeSpan.FromSeconds(options.Backend.KeepAliveTimeoutSeconds))
    {
    }

    public Task<RealtimeConnection> ConnectAsync(RealtimeEndpoint endpoint, CancellationToken cancellationToken) =>
        RealtimeConnection.ConnectAsync(endpoint, _maxMessageBytes, _timeout, _keepAlive, _keepAliveTimeout, cancellationToken);
}
