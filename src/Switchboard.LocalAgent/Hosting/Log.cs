using Microsoft.Extensions.Logging;
using Switchboard.Configuration;
using Switchboard.Diagnostics;

namespace Switchboard.LocalAgent.Hosting;

/// <summary>Source-generated log messages of the local backend host (event ids 4150–4169).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = EventIds.LocalHostStarted, Level = LogLevel.Information, Message = "Local realtime backend listening on {Url} ({Mode} mode). It is a test agent: it does not recognise or generate speech")]
    public static partial void HostStarted(this ILogger logger, Uri url, LocalAgentMode mode);

    [LoggerMessage(EventId = EventIds.LocalHostStopped, Level = LogLevel.Information, Message = "Local realtime backend stopped")]
    public static partial void HostStopped(this ILogger logger);

    [LoggerMessage(EventId = EventIds.LocalHostStopTimedOut, Level = LogLevel.Warning, Message = "Local realtime backend did not stop in time; {Sessions} sessions were still open")]
    public static partial void StopTimedOut(this ILogger logger, int sessions);

    [LoggerMessage(EventId = EventIds.LocalHostRefused, Level = LogLevel.Warning, Message = "Local realtime backend refused a connection with {StatusCode}: {Reason}")]
    public static partial void Refused(this ILogger logger, int statusCode, string reason);

    [LoggerMessage(EventId = EventIds.LocalHostScenarioLoaded, Level = LogLevel.Information, Message = "Local realtime backend loaded scenario {Path} ({Turns} turns)")]
    public static partial void ScenarioLoaded(this ILogger logger, string path, int turns);
}
