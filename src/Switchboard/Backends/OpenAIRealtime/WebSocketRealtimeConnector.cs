using Switchboard.Configuration;

namespace Switchboard.Backends.OpenAIRealtime;

/// <summary>The gateway's agent-leg connector: a client WebSocket to the endpoint, within the configured connect timeout.</summary>
internal sealed class WebSocketRealtimeConnector : IRealtimeConnector
{
    private readonly int _maxMessageBytes;
    private readonly TimeSpan _timeout;

    public WebSocketRealtimeConnector(int maxMessageBytes, TimeSpan timeout)
    {
        _maxMessageBytes = maxMessageBytes;
        _timeout = timeout;
    }

    /// <summary>With <c>Bridge:MaxBackendMessageBytes</c> and <c>Backend:ConnectTimeoutSeconds</c>.</summary>
    public WebSocketRealtimeConnector(SwitchboardOptions options)
        : this(options.Bridge.MaxBackendMessageBytes, TimeSpan.FromSeconds(options.Backend.ConnectTimeoutSeconds))
    {
    }

    public Task<RealtimeConnection> ConnectAsync(RealtimeEndpoint endpoint, CancellationToken cancellationToken) =>
        RealtimeConnection.ConnectAsync(endpoint, _maxMessageBytes, _timeout, cancellationToken);
}
