using Microsoft.Extensions.Logging;
using Switchboard.Diagnostics;

namespace Switchboard.Calls;

/// <summary>
/// A call's milestones as one INFO line each, named as the voice servers teams migrate from name them
/// (<c>TWILIO_START</c>, <c>OPENAI_CONNECT</c>, <c>OPENAI_READY</c>, <c>FIRST_AUDIO_SENT</c>, <c>CALL_END</c>), so log alerts
/// written for those servers keep working. The names are a stable interface (docs/migrating.md): never rename one.
/// Each line starts with its name and carries the call id; none carries a number, a secret or transcript text.
/// </summary>
internal static partial class CallMilestones
{
    /// <summary>The start milestone's name for a channel: <c>TWILIO_START</c>, <c>TELNYX_START</c>, <c>WEBSOCKET_START</c>, <c>SIP_START</c>.</summary>
    public static string StartName(string channel) => channel switch
    {
        "twilio" => "TWILIO_START",
        "telnyx" => "TELNYX_START",
        "websocket" => "WEBSOCKET_START",
        "sip" => "SIP_START",
        _ => channel.ToUpperInvariant() + "_START",
    };

    [LoggerMessage(EventId = EventIds.MilestoneStart, Level = LogLevel.Information, Message = "{Milestone} call={CallId} stream={StreamId} carrierCall={CarrierCallId} endpoint={EndpointId}")]
    public static partial void Start(ILogger logger, string milestone, string callId, string? streamId, string? carrierCallId, Guid endpointId);

    [LoggerMessage(EventId = EventIds.MilestoneBackendConnect, Level = LogLevel.Information, Message = "OPENAI_CONNECT call={CallId} backend={Backend} connectMs={ConnectMs}")]
    public static partial void BackendConnect(ILogger logger, string callId, string backend, long connectMs);

    [LoggerMessage(EventId = EventIds.MilestoneBackendReady, Level = LogLevel.Information, Message = "OPENAI_READY call={CallId} sinceStartMs={SinceStartMs}")]
    public static partial void BackendReady(ILogger logger, string callId, long sinceStartMs);

    [LoggerMessage(EventId = EventIds.MilestoneFirstAudioSent, Level = LogLevel.Information, Message = "FIRST_AUDIO_SENT call={CallId} sinceStartMs={SinceStartMs}")]
    public static partial void FirstAudioSent(ILogger logger, string callId, long sinceStartMs);

    [LoggerMessage(EventId = EventIds.MilestoneEnd, Level = LogLevel.Information, Message = "CALL_END call={CallId} reason={Reason} durationMs={DurationMs}")]
    public static partial void End(ILogger logger, string callId, string reason, long durationMs);
}
