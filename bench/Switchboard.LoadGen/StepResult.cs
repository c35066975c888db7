namespace Switchboard.LoadGen;

/// <summary>The measurements of one ramp step.</summary>
internal sealed record StepResult
{
    /// <summary>Which relay ran the step: <c>switchboard</c>, or <c>node</c> for the reference peer (<c>--peer</c>).</summary>
    public string Relay { get; init; } = "switchboard";

    /// <summary>The alternation round with <c>--peer</c> (1-based); 0 otherwise.</summary>
    public int Round { get; init; }

    public required int Calls { get; init; }
    public required int Connected { get; init; }
    public required int FailedCalls { get; init; }
    public required IReadOnlyList<string> Failures { get; init; }
    public required double MeasuredSeconds { get; init; }
    public required long FramesSent { get; init; }
    /// <summary>Frames the carriers sent from the start of the CPU window to the end of the media (see <see cref="GatewayCpuMsPerAudioSecond"/>).</summary>
    public long FramesSentInCpuWindow { get; init; }
    public required long FramesAtBackend { get; init; }
    public required long FramesEchoed { get; init; }
    public required long FramesLost { get; init; }
    public required long FramesLostInbound { get; init; }
    public required long Reordered { get; init; }
    public required long ReorderedInbound { get; init; }
    public required long Duplicates { get; init; }
    public required long SendStalls { get; init; }
    public required LatencySummary Inbound { get; init; }
    public required LatencySummary Outbound { get; init; }
    public required LatencySummary BargeIn { get; init; }

    /// <summary>Inside the gateway: speech_started received → clear sent (its journal's <c>clear_us</c>).</summary>
    public LatencySummary GatewayBargeIn { get; init; } = LatencySummary.Empty;
    public required long BargeInsSent { get; init; }
    public required long ClearsReceived { get; init; }
    public required long BargeInsWithoutClear { get; init; }
    public required long UnmatchedClears { get; init; }
    public required long MarksReceived { get; init; }
    public required LatencySummary SchedulerLateness { get; init; }
    public required double GatewayCpuPercent { get; init; }
    public required double GatewayCpuMsPerCallSecond { get; init; }

    /// <summary>
    /// Relay CPU per second of call audio actually sent during the CPU window (frames × 20 ms, both directions ride on
    /// each): the same as <see cref="GatewayCpuMsPerCallSecond"/> when the load generator keeps pace, and still a fair
    /// figure on a busy machine where it falls behind and fewer call-seconds of audio pass per wall-clock second.
    /// </summary>
    public double GatewayCpuMsPerAudioSecond { get; init; }
    /// <summary>Share of the gateway's CPU time spent in the kernel (stime / (utime + stime)).</summary>
    public required double GatewaySystemCpuShare { get; init; }
    public required double LoadGenCpuPercent { get; init; }
    /// <summary>Whole machine, all cores: 100 % per core (200 % = both cores of a 2-core machine busy).</summary>
    public required double MachineCpuPercent { get; init; }
    public required long GatewayRssIdleKib { get; init; }
    public required long GatewayRssDuringKib { get; init; }
    public required double GatewayRssKibPerCall { get; init; }
    /// <summary>Live managed bytes per call (after a full GC, calls connected, minus the idle process's), KiB; null without diagnostics.</summary>
    public double? GatewayManagedKibPerCall { get; init; }
    /// <summary>
    /// RSS per call at rest: (RSS with the calls connected − idle RSS) / N, each read right after an aggressive
    /// full GC that returns the GC's free memory to the OS, so the allocation budget is not counted; KiB.
    /// </summary>
    public double? GatewayHeldKibPerCall { get; init; }
    /// <summary>RSS at rest (right after the releasing GC) with the calls connected, KiB.</summary>
    public long? GatewayRestRssKib { get; init; }
    /// <summary>OS threads in the gateway with the calls connected.</summary>
    public int? GatewayThreads { get; init; }
    /// <summary>Managed bytes the gateway allocated per call-second over the measured window.</summary>
    public double? GatewayAllocatedBytesPerCallSecond { get; init; }
    /// <summary>Time the gateway's threads were paused for collections during the measured window (ms).</summary>
    public double? GatewayGcPauseMs { get; init; }

    /// <summary>The same for the load generator's own process (its callers and echo backend stop too).</summary>
    public double LoadGenGcPauseMs { get; init; }

    /// <summary>Gen0/gen1/gen2 collections during the measured window.</summary>
    public string? GatewayGcCounts { get; init; }
    public required bool GatewayAlive { get; init; }
    /// <summary>Gateway log lines (Warning and above) written during the step.</summary>
    public required int GatewayLogLines { get; init; }
}
