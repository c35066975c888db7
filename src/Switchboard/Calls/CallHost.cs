using System.Net.WebSockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchboard.Agents;
using Switchboard.Agents.Tools;
using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Carriers;
using Switchboard.Configuration;
using Switchboard.Journal;

namespace Switchboard.Calls;

/// <summary>Runs a <see cref="CallBridge"/> for each accepted carrier stream.</summary>
internal sealed class CallHost
{
    private readonly CallServices _services;

    public CallHost(IOptions<SwitchboardOptions> options, IRealtimeEndpointProvider endpoints, IAgentResolver agents, ICallJournal journal, CallRegistry registry,
        IToolInvoker tools, ILogger<CallBridge> logger, TimeProvider time, ICarrierCallControl callControl) =>
        _services = new CallServices(options.Value, endpoints, agents, journal, registry, tools, logger, time, callControl);

    /// <summary>Bridges one carrier stream until the call ends; returns the call id.</summary>
    public async Task<string> RunAsync(WebSocket carrierSocket, ICarrierProtocol protocol, CancellationToken aborted)
    {
        await using var bridge = new CallBridge(carrierSocket, protocol, _services, aborted);
        await bridge.RunAsync().ConfigureAwait(false);
        return bridge.CallId;
    }
}
