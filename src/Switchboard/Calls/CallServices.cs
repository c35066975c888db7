using Microsoft.Extensions.Logging;
using Switchboard.Agents.Tools;
using Switchboard.Journal;
using Switchboard.Configuration;

namespace Switchboard.Calls;

/// <summary>What every call needs from the host, resolved once and shared by all calls.</summary>
internal sealed record CallServices(
    SwitchboardOptions Options,
    CallAdmission Admission,
    ICallJournal Journal,
    CallRegistry Registry,
    IToolInvoker Tools,
    ILogger Logger,
    TimeProvider Time);
