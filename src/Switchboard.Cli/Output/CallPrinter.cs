using Switchboard.Cli.Admin;
using Switchboard.Server.Api;

namespace Switchboard.Cli.Output;

/// <summary>Prints a call for people: its metadata, then the transcript as <c>[hh:mm:ss] role: text</c> lines.</summary>
internal static class CallPrinter
{
    public static void Write(TextWriter writer, CallDetail detail)
    {
        var call = detail.Call;
        writer.WriteLine($"Call        {call.Id}");
        writer.WriteLine($"Channel     {call.Channel}{(call.CarrierCallId is null ? "" : $" (carrier call {call.CarrierCallId})")}");
        if (call.From is not null || call.To is not null)
        {
            writer.WriteLine($"From → To   {call.From ?? "?"} → {call.To ?? "?"}");
        }

        writer.WriteLine($"Endpoint    {(call.EndpointId is { } endpoint ? endpoint.ToString("D") : "-")}");
        writer.WriteLine($"Started     {Formats.Time(call.StartedAt)}");
        writer.WriteLine(call.EndedAt is { } ended
            ? $"Ended       {Formats.Time(ended)} after {Formats.Duration(ended - call.StartedAt)} ({call.EndReason ?? "no reason recorded"})"
            : "Ended       - (in progress, or the gateway stopped before recording the end)");
        writer.WriteLine($"Events      {call.EventCount}");
        writer.WriteLine();
        if (detail.Transcript.Count == 0)
        {
            writer.WriteLine("(no transcript)");
            return;
        }

        foreach (var turn in detail.Transcript)
        {
            writer.WriteLine(FormatTurn(turn, call.StartedAt));
        }
    }

    /// <summary><c>[00:00:03] agent: Hello (interrupted, heard 1.2 s)</c>; the time is since the call started.</summary>
    public static string FormatTurn(TranscriptTurnResponse turn, DateTimeOffset callStart)
    {
        var line = $"[{Formats.Clock(turn.At - callStart)}] {turn.Role}: {turn.Text.ReplaceLineEndings(" ")}";
        if (turn.Interrupted)
        {
            line += turn.HeardMs is { } heard ? $" (interrupted, heard {Formats.Seconds(heard)})" : " (interrupted)";
        }

        return line;
    }
}
