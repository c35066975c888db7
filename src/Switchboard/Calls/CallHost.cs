using System.Net.WebSockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Carriers;
using Switchboard.Configuration;

namespace Switchboard.Calls;

/// <summary>Runs a <see cref="CallBridge"/> for each accepted carrier stream.</summary>
internal sealed class CallHost
{
    private readonly IOptions<SwitchboardOptions> _options;
    private readonly IRealtimeEndpointProvider _endpoints;
    private readonly ICallJournal _journal;
    private readonly CallRegistry _registry;
    private readonly IToolInvoker _tools;
    private readonly ILogger<CallBridge> _logger;
    private readonly TimeProvider _time;

    public CallHost(IOptions<SwitchboardOptions> options, IRealtimeEndpointProvider endpoints, ICallJournal journal, CallRegistry registry,
        IToolInvoker tools, ILogger<CallBridge> logger, TimeProvider time)
    {
        _options = options;
        _endpoints = endpoints;
        _journal = journal;
        _registry = registry;
        _tools = tools;
        _logger = logger;
        _time = time;
    }

    /// <summary>Bridges one carrier stream until the call ends; returns the call id.</summary>
    public async Task<string> RunAsync(WebSocket carrierSocket, ICarrierProtocol protocol, CancellationToken aborted)
    {
        await using var bridge = new CallBridge(carrierSocket, protocol, _options.Value, _endpoints, _journal, _registry, _tools, _logger, _time, aborted);
        await bridge.RunAsync().ConfigureAwait(false);
        return bridge.CallId;
    }
}
