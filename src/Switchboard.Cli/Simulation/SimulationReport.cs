using System.Globalization;
using System.Net.WebSockets;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Switchboard.Cli.Simulation;

/// <summary>Renders a simulation for people (timeline lines and a summary) and for machines (JSON).</summary>
internal static class SimulationReport
{
    /// <summary>One timeline line: milliseconds since the stream started, then what happened.</summary>
    public static string FormatEntry(TimelineEntry entry) =>
        string.Create(CultureInfo.InvariantCulture, $"{entry.TimeMs,8:0} ms  {entry.Detail}");

    /// <summary>True for entries worth printing without --verbose (individual marks are summarised instead).</summary>
    public static bool IsHeadline(TimelineEntry entry) => entry.Kind is not (TimelineKind.MarkReceived or TimelineKind.MarkEchoed);

    /// <summary>What the gateway's close status means from the carrier's point of view.</summary>
    public static string DescribeClose(SimulationResult result)
    {
        if (result.ConnectionLost)
        {
            return "connection lost without a close handshake";
        }

        if (result.CloseStatus is null)
        {
            return "the gateway sent no close frame";
        }

        var text = CallSimulator.Describe(result.CloseStatus, result.CloseDescription);
        if (result.CloseStatus == WebSocketCloseStatus.PolicyViolation)
        {
            text += result.Carrier == CarrierKind.Telnyx ? ": gateway rejected the token" : ": gateway rejected the call (policy violation)";
        }

        return result.GatewayClosedFirst ? text + " (the gateway ended the call)" : text;
    }

    /// <summary>Writes the human-readable summary block.</summary>
    public static void WriteSummary(TextWriter output, SimulationResult result)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(result);
        var c = CultureInfo.InvariantCulture;
        var interrupted = result.Turns.Count(t => t.Interrupted);
        var byClear = result.Marks.Count(m => m.EchoedByClear);
        var echoed = result.Marks.Count(m => m.EchoedMs is not null);

        output.WriteLine();
        output.WriteLine("Summary");
        Line("call", $"{result.Carrier} {Codec(result.Format)}, {result.DurationMs:0} ms, stream {result.Identity.StreamId}");
        Line("time to first agent audio", result.TimeToFirstAgentAudioMs is { } ttfa
            ? string.Create(c, $"{ttfa:0} ms (end of first caller speech → first agent audio played)")
            : "n/a (no agent audio started after the first caller speech)");
        Line("agent turns", $"{result.Turns.Count} ({interrupted} interrupted)");
        if (result.PlayoutUnderruns > 0)
        {
            Line("playout underruns", $"{result.PlayoutUnderruns} (agent audio arrived slower than it played; expected with --speed > 1 if the gateway paces its output)");
        }

        Line("barge-ins", result.BargeIns.Count == 0
            ? "0"
            : $"{result.BargeIns.Count}: " + string.Join(", ", result.BargeIns.Select(b => b.ClearAfterMs is { } ms
                ? string.Create(c, $"#{b.Index} cleared after {ms:0} ms")
                : $"#{b.Index} never cleared")));
        Line("clears", result.Clears.Count.ToString(c));
        Line("marks", $"received {result.Marks.Count}, echoed {echoed} ({byClear} released by clear)");
        Line("media frames", $"sent {result.MediaFramesSent}, received {result.ReceivedMedia.Count}");
        if (result.DtmfSent > 0)
        {
            Line("dtmf", $"sent {result.DtmfSent}");
        }

        Line("stale media", result.StaleMediaCount == 0 ? "0" : $"{result.StaleMediaCount} frame(s) after a clear while the caller was still speaking — gateway bug");
        Line("protocol violations", result.ProtocolViolations.Count == 0 ? "0" : $"{result.ProtocolViolations.Count}");
        foreach (var v in result.ProtocolViolations.Take(5))
        {
            Line(string.Empty, string.Create(c, $"{v.TimeMs:0} ms {v.Problem}: {v.Raw}"));
        }

        Line("gateway close", DescribeClose(result));

        void Line(string label, string value) => output.WriteLine($"  {label,-27}{value}");
    }

    /// <summary>Writes the whole result (without the audio) as indented JSON.</summary>
    public static void WriteJson(Stream stream, SimulationResult result, string url)
    {
        ArgumentNullException.ThrowIfNull(result);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteString("url", url);
        json.WriteString("carrier", result.Carrier.ToString().ToLowerInvariant());
        json.WriteString("codec", result.Format.TelnyxEncoding);
        json.WriteNumber("sampleRate", result.Format.SampleRate);
        json.WriteString("streamId", result.Identity.StreamId);
        json.WriteString("callId", result.Identity.CallId);
        json.WriteNumber("durationMs", Math.Round(result.DurationMs, 1));

        json.WriteStartObject("metrics");
        NumberOrNull(json, "timeToFirstAgentAudioMs", result.TimeToFirstAgentAudioMs);
        NumberOrNull(json, "firstAgentAudioReceivedMs", result.FirstAgentAudioReceivedMs);
        NumberOrNull(json, "firstAgentAudioPlayedMs", result.FirstAgentAudioPlayedMs);
        json.WriteNumber("turns", result.Turns.Count);
        json.WriteNumber("interruptedTurns", result.Turns.Count(t => t.Interrupted));
        json.WriteNumber("playoutUnderruns", result.PlayoutUnderruns);
        json.WriteNumber("bargeIns", result.BargeIns.Count);
        json.WriteNumber("clears", result.Clears.Count);
        json.WriteNumber("marksReceived", result.Marks.Count);
        json.WriteNumber("marksEchoed", result.Marks.Count(m => m.EchoedMs is not null));
        json.WriteNumber("mediaFramesSent", result.MediaFramesSent);
        json.WriteNumber("mediaFramesReceived", result.ReceivedMedia.Count);
        json.WriteNumber("staleMediaFrames", result.StaleMediaCount);
        json.WriteNumber("protocolViolations", result.ProtocolViolations.Count);
        json.WriteEndObject();

        json.WriteStartObject("close");
        if (result.CloseStatus is { } status)
        {
            json.WriteNumber("code", (int)status);
        }
        else
        {
            json.WriteNull("code");
        }

        json.WriteString("description", result.CloseDescription);
        json.WriteBoolean("gatewayClosedFirst", result.GatewayClosedFirst);
        json.WriteBoolean("connectionLost", result.ConnectionLost);
        json.WriteEndObject();

        json.WriteStartArray("timeline");
        foreach (var e in result.Timeline)
        {
            json.WriteStartObject();
            json.WriteNumber("timeMs", Math.Round(e.TimeMs, 1));
            json.WriteString("kind", JsonNamingPolicy.CamelCase.ConvertName(e.Kind.ToString()));
            json.WriteString("detail", e.Detail);
            json.WriteEndObject();
        }

        json.WriteEndArray();

        json.WriteStartArray("callerSpeech");
        foreach (var s in result.CallerSpeech)
        {
            json.WriteStartObject();
            json.WriteString("kind", s.IsBargeIn ? "bargeIn" : "caller");
            json.WriteNumber("index", s.Index);
            json.WriteNumber("startMs", Math.Round(s.StartMs, 1));
            json.WriteNumber("endMs", Math.Round(s.EndMs, 1));
            json.WriteEndObject();
        }

        json.WriteEndArray();

        json.WriteStartArray("bargeIns");
        foreach (var b in result.BargeIns)
        {
            json.WriteStartObject();
            json.WriteNumber("index", b.Index);
            json.WriteNumber("startMs", Math.Round(b.StartMs, 1));
            json.WriteNumber("endMs", Math.Round(b.EndMs, 1));
            NumberOrNull(json, "clearAfterMs", b.ClearAfterMs);
            json.WriteEndObject();
        }

        json.WriteEndArray();

        json.WriteStartArray("turns");
        foreach (var t in result.Turns)
        {
            json.WriteStartObject();
            json.WriteNumber("index", t.Index);
            json.WriteNumber("startMs", Math.Round(t.StartMs, 1));
            json.WriteNumber("endMs", Math.Round(t.EndMs, 1));
            json.WriteNumber("playedMs", Math.Round(t.PlayedMs, 1));
            json.WriteNumber("underruns", t.Underruns);
            json.WriteString("end", JsonNamingPolicy.CamelCase.ConvertName(t.End.ToString()));
            json.WriteEndObject();
        }

        json.WriteEndArray();

        json.WriteStartArray("clears");
        foreach (var cl in result.Clears)
        {
            json.WriteStartObject();
            json.WriteNumber("timeMs", Math.Round(cl.TimeMs, 1));
            NumberOrNull(json, "sinceSpeechStartMs", cl.SinceSpeechStartMs);
            json.WriteBoolean("duringBargeIn", cl.DuringBargeIn);
            json.WriteNumber("droppedAudioMs", Math.Round(cl.DroppedAudioMs, 1));
            json.WriteNumber("marksReleased", cl.MarksEchoed);
            json.WriteEndObject();
        }

        json.WriteEndArray();

        json.WriteStartArray("marks");
        foreach (var m in result.Marks)
        {
            json.WriteStartObject();
            json.WriteString("name", m.Name);
            json.WriteNumber("receivedMs", Math.Round(m.ReceivedMs, 1));
            NumberOrNull(json, "echoedMs", m.EchoedMs);
            json.WriteBoolean("releasedByClear", m.EchoedByClear);
            json.WriteEndObject();
        }

        json.WriteEndArray();

        json.WriteStartArray("protocolViolations");
        foreach (var v in result.ProtocolViolations)
        {
            json.WriteStartObject();
            json.WriteNumber("timeMs", Math.Round(v.TimeMs, 1));
            json.WriteString("problem", v.Problem);
            json.WriteString("raw", v.Raw);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static string Codec(StreamFormat format) => string.Create(CultureInfo.InvariantCulture, $"{format.TelnyxEncoding}/{format.SampleRate}");

    private static void NumberOrNull(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, Math.Round(v, 1));
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
