using Microsoft.Extensions.Logging;
using Switchboard.Agents.Tools;
using Switchboard.Calls;
using Switchboard.Configuration;
using Switchboard.Journal;

namespace Switchboard.Sessions;

/// <summary>What every session conversation needs from the host, resolved once and shared.</summary>
internal sealed record SessionServices(
    SwitchboardOptions Options,
    ICallJournal Journal,
    CallRegistry Calls,
    SessionConnections Connections,
    IToolInvoker Tools,
    ILogger Logger,
    TimeProvider Time);
