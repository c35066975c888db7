namespace Switchboard.Tests.Audio;

/// <summary>
/// Bytes a hot-path step allocates on the calling thread once warm. The runtime itself can allocate on the
/// calling thread while it compiles (tier-up, on-stack replacement) during the first hundreds of calls, so
/// the step is warmed first and measured in a few rounds; the least a round allocated is the step's own
/// allocation (a step that allocates does so in every round).
/// </summary>
internal static class SteadyStateAllocations
{
    public static long Measure(Action step, int callsPerRound = 100, int warmUpCalls = 500, int rounds = 3)
    {
        for (var i = 0; i < warmUpCalls; i++)
        {
            step();
        }

        var least = long.MaxValue;
        for (var round = 0; round < rounds; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < callsPerRound; i++)
            {
                step();
            }

            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return least;
    }
}
