using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchboard.Agents.Tools;
using Switchboard.Artifacts;
using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Configuration;
using Switchboard.Journal;
using Switchboard.Telemetry;

namespace Switchboard.Calls;

/// <summary>Runs a <see cref="CallBridge"/> for each caller leg a host has accepted (a carrier stream, a session socket).</summary>
internal sealed class CallHost
{
    private readonly CallServices _services;

    public CallHost(IOptions<SwitchboardOptions> options, CallAdmission admission, IRealtimeConnector connector, ICallJournal journal, CallRegistry registry,
        IToolInvoker tools, ILogger<CallBridge> logger, TimeProvider time, CallPricing pricing, GatewayTelemetry? telemetry = null) =>
        _services = new CallServices(options.Value, admission, connector, journal, registry, tools, logger, time, pricing, telemetry);

    /// <summary>A bridge for <paramref name="leg"/>, not yet running (a host may register it before <see cref="CallBridge.RunAsync"/>).</summary>
    public CallBridge Create(ICallerLeg leg, CancellationToken aborted) => new(leg, _services, aborted);

    /// <summary>Bridges one caller leg until the call ends; returns the call id.</summary>
    public async Task<string> RunAsync(ICallerLeg leg, CancellationToken aborted)
    {
        await using var bridge = Create(leg, aborted);
        await bridge.RunAsync().ConfigureAwait(false);
        return bridge.CallId;
    }
}
