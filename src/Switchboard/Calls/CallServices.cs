using Microsoft.Extensions.Logging;
using Switchboard.Agents.Tools;
using Switchboard.Artifacts;
using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Configuration;
using Switchboard.Journal;
using Switchboard.Telemetry;

namespace Switchboard.Calls;

/// <summary>
/// What every call needs from the host, resolved once and shared by all calls. <see cref="Connector"/> opens the agent leg
/// (a WebSocket to the backend in the gateway, an in-memory backend in the hermetic bridge tests). <see cref="Telemetry"/>
/// records what only the engine sees (spans, response and tool durations); null uses <see cref="GatewayTelemetry.Default"/>.
/// </summary>
internal sealed record CallServices(
    SwitchboardOptions Options,
    CallAdmission Admission,
    IRealtimeConnector Connector,
    ICallJournal Journal,
    CallRegistry Registry,
    IToolInvoker Tools,
    ILogger Logger,
    TimeProvider Time,
    CallPricing Pricing,
    GatewayTelemetry? Telemetry = null);
