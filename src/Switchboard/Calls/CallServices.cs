using Microsoft.Extensions.Logging;
using Switchboard.Agents;
using Switchboard.Agents.Tools;
using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Configuration;
using Switchboard.Journal;

namespace Switchboard.Calls;

/// <summary>What every call needs from the host, resolved once and shared by all calls.</summary>
internal sealed record CallServices(
    SwitchboardOptions Options,
    IRealtimeEndpointProvider Endpoints,
    IAgentResolver Agents,
    ICallJournal Journal,
    CallRegistry Registry,
    IToolInvoker Tools,
    ILogger Logger,
    TimeProvider Time,
    Carriers.ICarrierCallControl CallControl);
