using System.Diagnostics;
using System.Text.Json;

namespace Switchboard.Diagnostics;

/// <summary>
/// The process's managed-memory and thread figures, for the load generator's per-call memory attribution
/// (RSS alone cannot tell call state from GC headroom or thread stacks).
/// </summary>
public sealed record RuntimeFigures
{
    /// <summary>Live managed bytes; after a full blocking GC when captured with <c>fullGc</c>.</summary>
    public required long ManagedBytes { get; init; }

    /// <summary>GC heap size at the last collection (live objects plus fragmentation).</summary>
    public required long HeapSizeBytes { get; init; }

    /// <summary>Memory the GC has committed from the OS (what RSS sees of the heap).</summary>
    public required long CommittedBytes { get; init; }

    /// <summary>Bytes allocated since the process started (approximate, cheap).</summary>
    public required long AllocatedBytes { get; init; }

    /// <summary>Collections so far, per generation.</summary>
    public required int Gen0Collections { get; init; }

    /// <inheritdoc cref="Gen0Collections"/>
    public required int Gen1Collections { get; init; }

    /// <inheritdoc cref="Gen0Collections"/>
    public required int Gen2Collections { get; init; }

    /// <summary>Time every thread was paused for collections since the process started, in milliseconds.</summary>
    public double GcPauseMs { get; init; }

    /// <summary>Operating-system threads in the process.</summary>
    public required int Threads { get; init; }

    /// <summary>Thread-pool worker threads.</summary>
    public required int ThreadPoolThreads { get; init; }

    /// <summary>
    /// Reads the figures; <paramref name="fullGc"/> first runs a full compacting collection so <see cref="ManagedBytes"/>
    /// is what is live; <paramref name="releaseMemory"/> makes that collection aggressive, so the GC also returns its
    /// free memory (the allocation budget) to the OS and the process's RSS shows what is actually held.
    /// </summary>
    public static RuntimeFigures Capture(bool fullGc, bool releaseMemory = false)
    {
        if (releaseMemory)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }

        var managed = GC.GetTotalMemory(forceFullCollection: fullGc && !releaseMemory);
        var info = GC.GetGCMemoryInfo();
        using var process = Process.GetCurrentProcess();
        return new RuntimeFigures
        {
            ManagedBytes = managed,
            HeapSizeBytes = info.HeapSizeBytes,
            CommittedBytes = info.TotalCommittedBytes,
            AllocatedBytes = GC.GetTotalAllocatedBytes(precise: false),
            Gen0Collections = GC.CollectionCount(0),
            Gen1Collections = GC.CollectionCount(1),
            Gen2Collections = GC.CollectionCount(2),
            GcPauseMs = GC.GetTotalPauseDuration().TotalMilliseconds,
            Threads = process.Threads.Count,
            ThreadPoolThreads = ThreadPool.ThreadCount,
        };
    }

    /// <summary>Writes the figures as one JSON object with camelCase names.</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteNumber("managedBytes", ManagedBytes);
        writer.WriteNumber("heapSizeBytes", HeapSizeBytes);
        writer.WriteNumber("committedBytes", CommittedBytes);
        writer.WriteNumber("allocatedBytes", AllocatedBytes);
        writer.WriteNumber("gen0Collections", Gen0Collections);
        writer.WriteNumber("gen1Collections", Gen1Collections);
        writer.WriteNumber("gen2Collections", Gen2Collections);
        writer.WriteNumber("gcPauseMs", GcPauseMs);
        writer.WriteNumber("threads", Threads);
        writer.WriteNumber("threadPoolThreads", ThreadPoolThreads);
        writer.WriteEndObject();
    }

    /// <summary>The figures as UTF-8 JSON.</summary>
    public byte[] ToJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteTo(writer);
        }

        return buffer.ToArray();
    }
}
