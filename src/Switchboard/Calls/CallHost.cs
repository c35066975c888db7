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
    private readonly CallServices _services;

    public CallHost(IOptions<SwitchboardOptions> options, IRealtimeEndpointProvider endpoints, ICallJournal journal, CallRegistry registry,
        IToolInvoker tools, ILogger<CallBridge> logger, TimeProvider time) =>
        _services = new CallServices(options.Value, endpoints, journal, registry, tools, logger, time);

    /// <summary>
    /// Bridges one carrier stream until the call ends; returns the call id. <paramref name="attribution"/> (team and
    /// endpoint ids, <see cref="CallEventKeys"/>) is recorded on the call's <c>CallStarted</c> event.
    /// </summary>
    public async Task<string> RunAsync(WebSocket carrierSocket, ICarrierProtocol protocol, CancellationToken aborted, IReadOnlyDictionary<string, string>? attribution = null)
    {
        await using var bridge = new CallBridge(carrierSocket, protocol, _services, aborted, attribution);
        await bridge.RunAsync().ConfigureAwait(false);
        return bridge.CallId;
    }
}
