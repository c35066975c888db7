using System.Runtime.CompilerServices;

// Calls run in real time on a 2-core machine: run test classes one after another so timing assertions hold.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Switchboard.IntegrationTests;

internal static class TestProcessSetup
{
    /// <summary>
    /// Real-time calls need threads at once; on a 2-core machine the thread pool otherwise starts with two
    /// and grows slowly, stalling the first calls of a test run by up to a second.
    /// </summary>
    [ModuleInitializer]
    internal static void WarmThreadPool() => ThreadPool.SetMinThreads(Math.Max(32, Environment.ProcessorCount * 8), Math.Max(32, Environment.ProcessorCount * 8));
}
