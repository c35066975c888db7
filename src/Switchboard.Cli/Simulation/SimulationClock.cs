using System.Diagnostics;

namespace Switchboard.Cli.Simulation;

/// <summary>
/// Call time for a simulation: wall time since the stream started multiplied by the speed factor.
/// Waits target absolute call times, so timer lateness never accumulates into drift.
/// </summary>
internal sealed class SimulationClock(double speed)
{
    private readonly Stopwatch _stopwatch = new();

    /// <summary>How many call milliseconds pass per wall millisecond.</summary>
    public double Speed { get; } = speed;

    /// <summary>Call milliseconds since <see cref="Start"/>.</summary>
    public double NowMs => _stopwatch.Elapsed.TotalMilliseconds * Speed;

    /// <summary>Marks time zero (the moment the carrier sends <c>start</c>).</summary>
    public void Start() => _stopwatch.Restart();

    /// <summary>Wall time that <paramref name="callMs"/> of call time takes.</summary>
    public TimeSpan ToWall(double callMs) => TimeSpan.FromMilliseconds(Math.Max(0, callMs / Speed));

    /// <summary>Waits until call time reaches <paramref name="callMs"/> (returns at once if it already has), never earlier.</summary>
    public async Task DelayUntilAsync(double callMs, CancellationToken cancellationToken)
    {
        // The runtime's timers tick in whole milliseconds and can fire just before a delay is up; a frame sent that
        // early reaches a fast gateway, and its answer comes back, before the call time the frame stands for.
        double remaining;
        while ((remaining = (callMs / Speed) - _stopwatch.Elapsed.TotalMilliseconds) > 0)
        {
            // Round up: Task.Delay truncates to whole milliseconds, and a zero delay would spin.
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(remaining)), cancellationToken).ConfigureAwait(false);
        }
    }
}
