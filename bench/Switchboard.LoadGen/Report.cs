using System.Text;
using System.Text.Json;

namespace Switchboard.LoadGen;

/// <summary>Prints the Markdown table and writes the JSON file.</summary>
internal static class Report
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static string Markdown(IReadOnlyList<StepResult> steps)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| calls | inbound p50 / p99 / max ms | outbound p50 / p99 / max ms | barge-in → clear p50 / p99 / max ms | gateway-internal barge-in p50 / p99 / max ms | frames sent / echoed / lost / reordered | gateway CPU (% of 1 core) | gateway CPU ms per call-s | gateway RSS idle → during (KiB per call) | load-gen CPU (% of 1 core) | pacing lag p99 ms |");
        sb.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var s in steps)
        {
            sb.Append($"| {s.Calls}{(s.FailedCalls > 0 ? $" ({s.FailedCalls} failed)" : "")} ");
            sb.Append($"| {Triple(s.Inbound)} | {Triple(s.Outbound)} | {Triple(s.BargeIn)} | {Triple(s.GatewayBargeIn)} ");
            sb.Append($"| {s.FramesSent} / {s.FramesEchoed} / {s.FramesLost} / {s.Reordered} ");
            sb.Append($"| {s.GatewayCpuPercent:F0} % | {s.GatewayCpuMsPerCallSecond:F2} ");
            sb.Append($"| {s.GatewayRssIdleKib / 1024.0:F0} → {s.GatewayRssDuringKib / 1024.0:F0} MiB ({s.GatewayRssKibPerCall:F0}) ");
            sb.AppendLine($"| {s.LoadGenCpuPercent:F0} % | {s.SchedulerLateness.P99Ms:F1} |");
        }

        sb.AppendLine();
        sb.AppendLine("| calls | gateway RSS per call KiB (peak) | marginal RSS per added call KiB | RSS per call KiB at rest (after releasing GC) | marginal RSS at rest per added call KiB | live managed per call KiB (after full GC) | gateway threads | allocated B per call-s | GCs gen0/1/2 in window |");
        sb.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        StepResult? previous = null;
        foreach (var s in steps)
        {
            // The slope between steps leaves out fixed costs (GC budget, pools) that RSS / N spreads over the calls.
            var marginal = previous is not null && s.Connected > previous.Connected
                ? (s.GatewayRssDuringKib - previous.GatewayRssDuringKib) / (double)(s.Connected - previous.Connected) : (double?)null;
            var restMarginal = previous?.GatewayRestRssKib is { } r0 && s.GatewayRestRssKib is { } r1 && s.Connected > previous.Connected
                ? (r1 - r0) / (double)(s.Connected - previous.Connected) : (double?)null;
            sb.AppendLine($"| {s.Calls} | {s.GatewayRssKibPerCall:F0} | {Maybe(marginal, "F0")} | {Maybe(s.GatewayHeldKibPerCall, "F1")} | {Maybe(restMarginal, "F1")} | {Maybe(s.GatewayManagedKibPerCall, "F1")} | {(s.GatewayThreads?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "–")} | {Maybe(s.GatewayAllocatedBytesPerCallSecond, "F0")} | {s.GatewayGcCounts ?? "–"} |");
            previous = s;
        }

        return sb.ToString();
    }

    /// <summary>
    /// <c>--peer</c>: one row per relay and round, the figures the side-by-side table in docs/performance.md keeps.
    /// RSS per call is the growth of a freshly started process over its idle RSS (after the same 20-call warm-up
    /// for both), at the step's peak, divided by the connected calls.
    /// </summary>
    public static string SideBySide(IReadOnlyList<StepResult> steps)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| calls | relay | round | CPU ms per call-s | CPU ms per call-s of audio relayed | CPU (% of 1 core) | kernel share | RSS idle → peak MiB | RSS per call KiB (peak − idle) | inbound p50 / p99 ms | outbound p50 / p99 ms | barge-in → clear p99 ms | frames sent / lost / reordered | clears / barge-ins | marks per call-s | load-gen pacing lag p99 ms |");
        sb.AppendLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var s in steps.OrderBy(s => s.Calls).ThenBy(s => s.Round))
        {
            var lost = s.FramesLost + s.FramesLostInbound;
            var reordered = s.Reordered + s.ReorderedInbound;
            // Marks per second of call (every frame is 20 ms of caller audio, and the echo answers each with 20 ms of agent audio).
            var marksPerCallSecond = s.FramesSent > 0 ? s.MarksReceived / (s.FramesSent * 0.02) : 0;
            sb.Append($"| {s.Calls}{(s.FailedCalls > 0 ? $" ({s.FailedCalls} failed)" : "")} | {s.Relay} | {s.Round} ");
            sb.Append($"| {s.GatewayCpuMsPerCallSecond:F2} | {s.GatewayCpuMsPerAudioSecond:F2} | {s.GatewayCpuPercent:F0} % | {s.GatewaySystemCpuShare:P0} ");
            sb.Append($"| {s.GatewayRssIdleKib / 1024.0:F0} → {s.GatewayRssDuringKib / 1024.0:F0} | {s.GatewayRssKibPerCall:F0} ");
            sb.Append($"| {Pair(s.Inbound)} | {Pair(s.Outbound)} | {(s.BargeIn.Count == 0 ? "–" : s.BargeIn.P99Ms.ToString("F2", System.Globalization.CultureInfo.InvariantCulture))} ");
            sb.Append($"| {s.FramesSent} / {lost} / {reordered} | {s.ClearsReceived} / {s.BargeInsSent} | {marksPerCallSecond:F1} ");
            sb.AppendLine($"| {s.SchedulerLateness.P99Ms:F1} |");
        }

        return sb.ToString();
    }

    private static string Pair(LatencySummary l) => l.Count == 0 ? "–" : $"{l.P50Ms:F2} / {l.P99Ms:F2}";

    private static string Maybe(double? value, string format) => value is { } v ? v.ToString(format, System.Globalization.CultureInfo.InvariantCulture) : "–";

    public static string Details(StepResult s)
    {
        return $"  {s.Calls} calls: connected {s.Connected}, failed {s.FailedCalls}; frames at backend {s.FramesAtBackend} (lost inbound {s.FramesLostInbound}, reordered inbound {s.ReorderedInbound}), "
            + $"duplicates {s.Duplicates}; barge-ins {s.BargeInsSent}, clears {s.ClearsReceived} (without clear {s.BargeInsWithoutClear}, unmatched clears {s.UnmatchedClears}); "
            + $"marks {s.MarksReceived}; send stalls {s.SendStalls}; scheduler lateness p99 {s.SchedulerLateness.P99Ms:F2} ms, max {s.SchedulerLateness.MaxMs:F2} ms; "
            + $"gateway CPU in kernel {s.GatewaySystemCpuShare:P0}; machine CPU {s.MachineCpuPercent:F0} % (all cores, /proc/stat); latency samples {s.Inbound.Count}, barge-in samples {s.BargeIn.Count}; gateway alive {s.GatewayAlive}, gateway log lines {s.GatewayLogLines}; "
            + $"GC pauses in the window: gateway {(s.GatewayGcPauseMs is { } g ? g.ToString("F1", System.Globalization.CultureInfo.InvariantCulture) + " ms" : "–")} ({s.GatewayGcCounts ?? "–"}), load generator {s.LoadGenGcPauseMs:F1} ms";
    }

    public static void WriteJson(string path, object document)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllText(path, JsonSerializer.Serialize(document, Json));
    }

    private static string Triple(LatencySummary l) => l.Count == 0 ? "–" : $"{l.P50Ms:F2} / {l.P99Ms:F2} / {l.MaxMs:F1}";
}
