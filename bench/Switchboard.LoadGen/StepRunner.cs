using System.Diagnostics;

namespace Switchboard.LoadGen;

/// <summary>Runs one step: N calls connect, stream for the step's length, drain, stop; then the figures.</summary>
internal sealed class StepRunner(GatewayProcess gateway, EchoBackend backend, LoadGenOptions options)
{
    private const int ConnectParallelism = 16;
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(3);

    public async Task<StepResult> RunAsync(int callCount, int seconds, int warmupSeconds, CancellationToken token)
    {
        var frames = seconds * 1000 / MediaScheduler.FrameMs;
        var states = new CallState[callCount];
        for (var i = 0; i < callCount; i++)
        {
            states[i] = new CallState(i, frames);
        }

        var bargeEvery = options.BargeInEverySeconds > 0 ? Ticks.FromMs(options.BargeInEverySeconds * 1000) : 0;
        backend.BeginStep(new StepContext(states, bargeEvery, options.AlignedBargeIns));
        var idleRss = ProcStats.RssKib(gateway.Pid) ?? 0;
        var idleRuntime = await RuntimeProbe.ReadAsync(gateway.BaseUrl, "release", token);
        var idleRssReleased = ProcStats.RssKib(gateway.Pid);
        SaveSmaps(gateway.Pid, $"{callCount}-idle");
        var logLines0 = gateway.OutputLines;
        var calls = states.Select(s => options.Channel == LoadGenOptions.Session ? (SimulatedCall)new SessionCall(s) : new TwilioCall(s)).ToList();
        try
        {
            // Connect (bounded parallelism, like calls arriving quickly but not all in one instant).
            using var stepCts = CancellationTokenSource.CreateLinkedTokenSource(token);
            await Parallel.ForEachAsync(calls, new ParallelOptions { MaxDegreeOfParallelism = ConnectParallelism, CancellationToken = token }, async (call, ct) =>
            {
                try
                {
                    using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    connectTimeout.CancelAfter(TimeSpan.FromSeconds(15));
                    await call.ConnectAsync(gateway, stepCts.Token).WaitAsync(connectTimeout.Token);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    call.State.Failure ??= "connect: " + ex.GetType().Name + ": " + ex.Message;
                }
            });

            // Wait until the gateway configured a backend session for every connected call.
            var connected = states.Count(s => s.Connected);
            var wait = Stopwatch.StartNew();
            // At most 8 s: the relay closes a call that gets no media for 10 s, so waiting longer for one slow call would
            // fail every other call of the step.
            while (backend.ConfiguredSessions < connected && wait.Elapsed < TimeSpan.FromSeconds(8))
            {
                await Task.Delay(50, token);
            }

            if (backend.ConfiguredSessions < connected)
            {
                Console.WriteLine($"  {connected - backend.ConfiguredSessions} of {connected} connected call(s) had no backend session after {wait.Elapsed.TotalSeconds:0} s; starting media anyway");
            }

            var live = calls.Where(c => c.State.Failure is null).ToList();
            var scheduler = new MediaScheduler(live, frames);
            var start = Ticks.Now + Ticks.FromMs(100);
            var measureFrom = start + Ticks.FromMs(warmupSeconds * 1000.0);
            var measureTo = start + Ticks.FromMs(seconds * 1000.0);
            var run = scheduler.RunAsync(start, stepCts.Token);

            // CPU and memory over the measured window only.
            await DelayUntil(measureFrom, token);
            var runtime0 = await RuntimeProbe.ReadAsync(gateway.BaseUrl, null, token);
            var cpu0 = ProcStats.CpuMs(gateway.Pid) ?? default;
            var self0 = Process.GetCurrentProcess().TotalProcessorTime;
            var selfPause0 = GC.GetTotalPauseDuration();
            var machine0 = ProcStats.MachineJiffies();
            var wall0 = Ticks.Now;
            long rssDuring = 0;
            while (Ticks.Now < measureTo - Ticks.FromMs(250) && !run.IsCompleted)
            {
                rssDuring = Math.Max(rssDuring, ProcStats.RssKib(gateway.Pid) ?? 0);
                await Task.Delay(250, token);
            }

            await run;
            var cpu1 = ProcStats.CpuMs(gateway.Pid) ?? default;
            var self1 = Process.GetCurrentProcess().TotalProcessorTime;
            var selfPause1 = GC.GetTotalPauseDuration();
            var machine1 = ProcStats.MachineJiffies();
            var wallMs = LatencySummary.ToMs(Ticks.Now - wall0);
            rssDuring = Math.Max(rssDuring, ProcStats.RssKib(gateway.Pid) ?? 0);
            var runtime1 = await RuntimeProbe.ReadAsync(gateway.BaseUrl, null, token);

            // Drain: wait for the echoes still in flight.
            var drain = Stopwatch.StartNew();
            while (drain.Elapsed < DrainTimeout && !AllEchoed(states))
            {
                await Task.Delay(50, token);
            }

            // Every call is still connected (media has stopped): what is live now is the calls' state.
            var liveRuntime = await RuntimeProbe.ReadAsync(gateway.BaseUrl, "release", token);
            var liveRssReleased = ProcStats.RssKib(gateway.Pid);
            SaveSmaps(gateway.Pid, $"{callCount}-live");
            var alive = !gateway.HasExited;
            await Task.WhenAll(calls.Select(c => c.StopAsync(TimeSpan.FromSeconds(5))));
            backend.EndStep();
            var gatewayBargeIn = await GatewayJournal.TakeClearLatenciesAsync(gateway.DataDir, token);

            var measuredSeconds = LatencySummary.ToMs(measureTo - measureFrom) / 1000.0;
            var gatewayUserMs = cpu1.UserMs - cpu0.UserMs;
            var gatewaySystemMs = cpu1.SystemMs - cpu0.SystemMs;
            var gatewayCpuMs = gatewayUserMs + gatewaySystemMs;
            var callSeconds = live.Count * wallMs / 1000.0;
            var summary = Summarise(states, measureFrom, measureTo);
            SaveLatencyTrace(states, measureFrom, measureTo, $"{callCount}-pid{gateway.Pid}");
            return summary with
            {
                GatewayCpuMsPerAudioSecond = summary.FramesSentInCpuWindow > 0
                    ? gatewayCpuMs / (summary.FramesSentInCpuWindow * MediaScheduler.FrameMs / 1000.0) : 0,
                GatewayBargeIn = gatewayBargeIn,
                MeasuredSeconds = measuredSeconds,
                SchedulerLateness = scheduler.Lateness,
                GatewayCpuPercent = gatewayCpuMs / wallMs * 100,
                GatewaySystemCpuShare = gatewayCpuMs > 0 ? gatewaySystemMs / gatewayCpuMs : 0,
                GatewayCpuMsPerCallSecond = callSeconds > 0 ? gatewayCpuMs / callSeconds : 0,
                LoadGenCpuPercent = (self1 - self0).TotalMilliseconds / wallMs * 100,
                MachineCpuPercent = machine0 is { } m0 && machine1 is { } m1 && m1.Total > m0.Total
                    ? (m1.Busy - m0.Busy) / (double)(m1.Total - m0.Total) * Environment.ProcessorCount * 100 : 0,
                GatewayRssIdleKib = idleRss,
                GatewayRssDuringKib = rssDuring,
                GatewayRssKibPerCall = live.Count > 0 ? (rssDuring - idleRss) / (double)live.Count : 0,
                GatewayManagedKibPerCall = idleRuntime is not null && liveRuntime is not null && live.Count > 0
                    ? (liveRuntime.ManagedBytes - idleRuntime.ManagedBytes) / 1024.0 / live.Count : null,
                GatewayThreads = liveRuntime?.Threads,
                GatewayRestRssKib = liveRssReleased,
                GatewayHeldKibPerCall = idleRuntime is not null && liveRuntime is not null && idleRssReleased is { } i && liveRssReleased is { } l && live.Count > 0
                    ? (l - i) / (double)live.Count : null,
                GatewayAllocatedBytesPerCallSecond = runtime0 is not null && runtime1 is not null && callSeconds > 0
                    ? (runtime1.AllocatedBytes - runtime0.AllocatedBytes) / callSeconds : null,
                GatewayGcPauseMs = runtime0?.GcPauseMs is { } p0 && runtime1?.GcPauseMs is { } p1 ? p1 - p0 : null,
                LoadGenGcPauseMs = (selfPause1 - selfPause0).TotalMilliseconds,
                GatewayGcCounts = runtime0 is not null && runtime1 is not null
                    ? $"{runtime1.Gen0 - runtime0.Gen0}/{runtime1.Gen1 - runtime0.Gen1}/{runtime1.Gen2 - runtime0.Gen2}" : null,
                GatewayAlive = alive,
                GatewayLogLines = gateway.OutputLines - logLines0,
            };
        }
        finally
        {
            backend.EndStep();
            foreach (var call in calls)
            {
                call.Dispose();
            }

            await WaitForGatewayIdleAsync(token);
        }
    }

    // With --latency-trace, every frame of the measured window: when it was sent and how long each direction took, so a
    // p99 can be traced to a moment (all calls at once: a pause of a process) or to calls (queueing behind neighbours).
    private void SaveLatencyTrace(CallState[] states, long from, long to, string name)
    {
        if (options.LatencyTraceDirectory is not { } dir)
        {
            return;
        }

        Directory.CreateDirectory(dir);
        using var writer = new StreamWriter(Path.Combine(dir, $"latency-{name}.csv"));
        writer.WriteLine("call,frame,sent_ms,inbound_ms,outbound_ms");
        foreach (var s in states)
        {
            for (var i = 0; i < s.FramesSent; i++)
            {
                var sent = s.CarrierSent[i];
                if (sent < from || sent >= to || s.BackendArrived[i] == 0 || s.BackendSent[i] == 0 || s.CarrierArrived[i] == 0)
                {
                    continue;
                }

                writer.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{s.Index},{i},{LatencySummary.ToMs(sent - from):F3},{LatencySummary.ToMs(s.BackendArrived[i] - sent):F3},{LatencySummary.ToMs(s.CarrierArrived[i] - s.BackendSent[i]):F3}"));
            }
        }
    }

    // With --smaps-dir, the gateway's memory map at rest (right after the releasing GC), idle and with the calls
    // connected, to see which mappings (GC regions, malloc arenas, code) grow per call.
    private void SaveSmaps(int pid, string name)
    {
        if (options.SmapsDirectory is not { } dir)
        {
            return;
        }

        try
        {
            Directory.CreateDirectory(dir);
            File.Copy($"/proc/{pid}/smaps", Path.Combine(dir, $"smaps-{name}.txt"), overwrite: true);
        }
        catch (IOException ex)
        {
            Console.Error.WriteLine($"smaps {name}: {ex.Message}");
        }
    }

    private static bool AllEchoed(CallState[] states)
    {
        foreach (var s in states)
        {
            if (s.Failure is not null)
            {
                continue;
            }

            for (var i = 0; i < s.FramesSent; i++)
            {
                if (s.CarrierArrived[i] == 0)
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static StepResult Summarise(CallState[] states, long from, long to)
    {
        var inbound = new List<long>();
        var outbound = new List<long>();
        var bargeIn = new List<long>();
        long sent = 0, sentSinceFrom = 0, atBackend = 0, echoed = 0, lost = 0, lostInbound = 0, reordered = 0, reorderedInbound = 0, duplicates = 0, stalls = 0;
        long bargeSent = 0, clears = 0, withoutClear = 0, unmatched = 0, marks = 0;
        var failures = new List<string>();
        foreach (var s in states)
        {
            // The first call of each distinct reason first: one odd failure must not hide behind many alike.
            if (s.Failure is not null && !failures.Any(f => f.EndsWith(": " + s.Failure, StringComparison.Ordinal)))
            {
                failures.Insert(0, $"call {s.Index}: {s.Failure}");
            }
            else if (s.Failure is not null)
            {
                failures.Add($"call {s.Index}: {s.Failure}");
            }

            for (var i = 0; i < s.FramesSent; i++)
            {
                sent++;
                var carrierSent = s.CarrierSent[i];
                sentSinceFrom += carrierSent >= from ? 1 : 0;
                var backendArrived = s.BackendArrived[i];
                var backendSent = s.BackendSent[i];
                var carrierArrived = s.CarrierArrived[i];
                atBackend += backendArrived != 0 ? 1 : 0;
                lostInbound += backendArrived == 0 ? 1 : 0;
                if (carrierArrived == 0)
                {
                    lost++;
                    continue;
                }

                echoed++;
                if (carrierSent >= from && carrierSent < to && backendArrived != 0 && backendSent != 0)
                {
                    inbound.Add(backendArrived - carrierSent);
                    outbound.Add(carrierArrived - backendSent);
                }
            }

            reordered += s.EchoReordered;
            reorderedInbound += s.InboundReordered;
            duplicates += s.EchoDuplicates + s.ForeignFrames;
            stalls += s.SendStalls;
            marks += s.MarksReceived;
            bargeSent += s.SpeechStartedSent.Count;
            clears += s.ClearsReceived;
            unmatched += s.UnmatchedClears;
            withoutClear += Math.Max(0, s.SpeechStartedSent.Count - s.BargeIns.Count);
            foreach (var (startedSent, latency) in s.BargeIns)
            {
                if (startedSent >= from && startedSent < to)
                {
                    bargeIn.Add(latency);
                }
            }
        }

        return new StepResult
        {
            Calls = states.Length,
            Connected = states.Count(s => s.Connected),
            FailedCalls = states.Count(s => s.Failure is not null),
            Failures = [.. failures.Take(10)],
            MeasuredSeconds = 0,
            FramesSent = sent,
            FramesSentInCpuWindow = sentSinceFrom,
            FramesAtBackend = atBackend,
            FramesEchoed = echoed,
            FramesLost = lost,
            FramesLostInbound = lostInbound,
            Reordered = reordered,
            ReorderedInbound = reorderedInbound,
            Duplicates = duplicates,
            SendStalls = stalls,
            Inbound = LatencySummary.FromTicks(inbound),
            Outbound = LatencySummary.FromTicks(outbound),
            BargeIn = LatencySummary.FromTicks(bargeIn),
            BargeInsSent = bargeSent,
            ClearsReceived = clears,
            BargeInsWithoutClear = withoutClear,
            UnmatchedClears = unmatched,
            MarksReceived = marks,
            SchedulerLateness = LatencySummary.Empty,
            GatewayCpuPercent = 0,
            GatewaySystemCpuShare = 0,
            GatewayCpuMsPerCallSecond = 0,
            LoadGenCpuPercent = 0,
            MachineCpuPercent = 0,
            GatewayRssIdleKib = 0,
            GatewayRssDuringKib = 0,
            GatewayRssKibPerCall = 0,
            GatewayAlive = true,
            GatewayLogLines = 0,
        };
    }

    private async Task WaitForGatewayIdleAsync(CancellationToken token)
    {
        var wait = Stopwatch.StartNew();
        while (backend.ActiveSessions > 0 && wait.Elapsed < TimeSpan.FromSeconds(15) && !token.IsCancellationRequested)
        {
            await Task.Delay(100, CancellationToken.None);
        }
    }

    private static async Task DelayUntil(long due, CancellationToken token)
    {
        var ms = LatencySummary.ToMs(due - Ticks.Now);
        if (ms > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(ms), token);
        }
    }
}
