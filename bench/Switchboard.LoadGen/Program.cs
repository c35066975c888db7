using System.Runtime.InteropServices;
using Switchboard.LoadGen;

LoadGenOptions options;
try
{
    options = LoadGenOptions.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(LoadGenOptions.Usage);
    return 2;
}

if (options.Help)
{
    Console.WriteLine(LoadGenOptions.Usage);
    return 0;
}

if (!OperatingSystem.IsLinux())
{
    Console.Error.WriteLine("The load generator reads gateway CPU and memory from /proc and runs on Linux only.");
    return 2;
}

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    Console.Error.WriteLine("cancelling: stopping calls and the gateway…");
    cts.Cancel();
};

// Hundreds of receive loops start at once; do not let the thread pool's slow ramp-up stall them.
ThreadPool.GetMinThreads(out var workers, out var io);
ThreadPool.SetMinThreads(Math.Max(workers, 32), Math.Max(io, 32));

var token = cts.Token;
GatewayProcess? gateway = null;
EchoBackend? backend = null;
try
{
    var dll = await RepositoryPaths.GatewayDllAsync(options.GatewayDll, token);
    var loop = !options.ClassicSockets && Switchboard.Transport.EventLoop.IsSupported;
    Switchboard.Transport.EventLoop.Enabled = loop;
    SimulatedCall.OnEventLoop = loop;
    backend = await EchoBackend.StartAsync(loop, token);
    Console.WriteLine($"load generator sockets: {(loop ? "event loop" : "ClientWebSocket and Kestrel's socket transport")}");
    Console.WriteLine($"gateway {dll}; echo backend {backend.Url}; {Environment.ProcessorCount} cores, {RuntimeInformation.FrameworkDescription}");

    var steps = new List<StepResult>();
    string? stopReason = null;
    StepRunner? runner = null;
    if (options.Peer)
    {
        // Side by side: the same step against a fresh gateway, then a fresh Node.js reference peer, alternating.
        var peerScript = await RepositoryPaths.NodePeerAsync(token);
        Console.WriteLine($"reference peer: node {peerScript}");
        foreach (var calls in options.Ramp)
        {
            for (var round = 1; round <= options.Rounds; round++)
            {
                foreach (var relay in new[] { "switchboard", "node" })
                {
                    gateway?.Dispose();
                    gateway = relay == "node"
                        ? await GatewayProcess.StartNodePeerAsync(peerScript, backend, options.PeerEnvironment, token)
                        : await GatewayProcess.StartAsync(dll, backend, options.GatewayEnvironment, token);
                    Console.WriteLine($"{relay} pid {gateway.Pid} at {gateway.BaseUrl}");
                    runner = new StepRunner(gateway, backend, options);
                    await runner.RunAsync(20, 6, 1, token);
                    Console.WriteLine($"step: {relay}, round {round}: {calls} calls for {options.Seconds} s (first {options.WarmupSeconds} s are warm-up)…");
                    var step = await runner.RunAsync(calls, options.Seconds, options.WarmupSeconds, token) with { Relay = relay, Round = round };
                    steps.Add(step);
                    Console.WriteLine(Report.Details(step));
                    foreach (var failure in step.Failures)
                    {
                        Console.WriteLine("    " + failure);
                    }

                    if (StopReason(step, options.MaxP99Ms, options.MaxLagMs) is { } note)
                    {
                        // Both relays run every step regardless, so the table stays side by side.
                        Console.WriteLine($"  note ({relay}, {calls} calls): {note}");
                    }
                }
            }
        }

        gateway?.Dispose();
        gateway = null;
    }

    foreach (var calls in options.Peer ? [] : options.Ramp)
    {
        if (runner is null || options.FreshGateway)
        {
            gateway?.Dispose();
            gateway = await GatewayProcess.StartAsync(dll, backend, options.GatewayEnvironment, token);
            Console.WriteLine($"gateway pid {gateway.Pid} at {gateway.BaseUrl}");
            runner = new StepRunner(gateway, backend, options);
            // Warm-up: 20 calls for 6 s (barge-ins included) so the JIT has tiered the hot paths and the database,
            // pools and GC heap have their working size; "idle" is then a gateway that has served calls, as in
            // production, and RSS growth during a step is what the calls themselves hold.
            await runner.RunAsync(20, 6, 1, token);
        }

        Console.WriteLine($"step: {calls} calls for {options.Seconds} s (first {options.WarmupSeconds} s are warm-up)…");
        var step = await runner.RunAsync(calls, options.Seconds, options.WarmupSeconds, token);
        steps.Add(step);
        Console.WriteLine(Report.Details(step));
        if (step.GatewayLogLines > 0)
        {
            Console.WriteLine("  last gateway output:" + Environment.NewLine + gateway!.LastOutput);
        }

        foreach (var failure in step.Failures)
        {
            Console.WriteLine("    " + failure);
        }

        stopReason = StopReason(step, options.MaxP99Ms, options.MaxLagMs);
        if (stopReason is not null)
        {
            Console.WriteLine($"ramp stopped at {calls} calls: {stopReason}");
            break;
        }
    }

    Console.WriteLine();
    Console.WriteLine(options.Peer ? Report.SideBySide(steps) : Report.Markdown(steps));
    var smokePassed = options.Smoke ? SmokePassed(steps, options.MaxP99Ms) : (bool?)null;
    Report.WriteJson(options.JsonPath, new
    {
        Machine = new { Environment.ProcessorCount, Framework = RuntimeInformation.FrameworkDescription, Os = RuntimeInformation.OSDescription },
        Options = new { options.Channel, options.Ramp, options.Seconds, options.WarmupSeconds, options.BargeInEverySeconds, options.AlignedBargeIns, options.MaxP99Ms, options.MaxLagMs, options.Smoke, options.FreshGateway, options.GatewayEnvironment, options.Peer, options.Rounds, options.PeerEnvironment },
        Steps = steps,
        StopReason = stopReason,
        SmokePassed = smokePassed,
        GatewayRejectedBackendConnections = backend.RejectedConnections,
    });
    Console.WriteLine($"JSON: {Path.GetFullPath(options.JsonPath)}");
    if (smokePassed is { } passed)
    {
        Console.WriteLine(passed ? "smoke: PASS" : "smoke: FAIL");
        return passed ? 0 : 1;
    }

    return 0;
}
catch (OperationCanceledException) when (token.IsCancellationRequested)
{
    Console.Error.WriteLine("cancelled");
    return 130;
}
catch (Exception ex)
{
    Console.Error.WriteLine($"load generator failed: {ex}");
    if (gateway is not null)
    {
        Console.Error.WriteLine("last gateway output:" + Environment.NewLine + gateway.LastOutput);
    }

    return 2;
}
finally
{
    gateway?.Dispose();
    if (backend is not null)
    {
        await backend.DisposeAsync();
    }
}

static string? StopReason(StepResult step, double maxP99Ms, double maxLagMs)
{
    var reasons = new List<string>();
    if (step.FailedCalls > 0 || step.Connected < step.Calls)
    {
        reasons.Add($"{step.FailedCalls} failed call(s)");
    }

    if (step.FramesLost > 0)
    {
        reasons.Add($"{step.FramesLost} lost frame(s)");
    }

    foreach (var (name, latency) in new[] { ("inbound", step.Inbound), ("outbound", step.Outbound), ("barge-in", step.BargeIn) })
    {
        if (latency.P99Ms > maxP99Ms)
        {
            reasons.Add($"{name} p99 {latency.P99Ms:F1} ms > {maxP99Ms} ms");
        }
    }

    if (step.SchedulerLateness.P99Ms > maxLagMs)
    {
        reasons.Add($"load generator pacing lag p99 {step.SchedulerLateness.P99Ms:F1} ms > {maxLagMs} ms (it could not keep real-time pace)");
    }

    if (!step.GatewayAlive)
    {
        reasons.Add("the gateway process exited");
    }

    return reasons.Count == 0 ? null : string.Join("; ", reasons);
}

static bool SmokePassed(List<StepResult> steps, double maxP99Ms) =>
    steps.Count > 0 && steps.All(s =>
        s.Connected == s.Calls && s.FailedCalls == 0 && s.FramesLost == 0 && s.FramesLostInbound == 0
        && s.Reordered == 0 && s.ReorderedInbound == 0 && s.Duplicates == 0 && s.BargeInsWithoutClear == 0 && s.UnmatchedClears == 0
        && s.Inbound.Count > 0 && s.Outbound.Count > 0 && s.Inbound.P99Ms < maxP99Ms && s.Outbound.P99Ms < maxP99Ms);
