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

    /// <summary>Waits until call time reaches <paramref name="callMs"/> (returns at once if it already has).</summary>
    public Task DelayUntilAsync(double callMs, CancellationToken cancellationToken)
    {
        var remaining = (callMs / Speed) - _stopwatch.Elapsed.TotalMilliseconds;
        // Round up: Task.Delay truncates to whole milliseconds, and a zero delay would spin.
        return remaining <= 0 ? Task.CompletedTask : Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(remaining)), cancellationToken);
    }
}
