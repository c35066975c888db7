using System.Globalization;
using Microsoft.Diagnostics.Runtime;

// Per-type statistics of a running .NET process's managed heap (like SOS `dumpheap -stat`), to attribute the
// gateway's memory per call. Attach while a load-generator step runs; ask the gateway for a full collection
// first (GET /diagnostics/runtime?gc=full) so what is counted is live, not garbage waiting for a GC.
//
//   dotnet run -c Release --project bench/Switchboard.HeapStat -- <pid> [--top 40] [--per 200] [--owners System.Byte[]]
//
// --per N divides every figure by N (the number of calls connected), --owners T lists which types reference
// the objects of type T, grouped by the object's size (who holds the byte arrays).
if (args.Length == 0 || !int.TryParse(args[0], CultureInfo.InvariantCulture, out var pid))
{
    Console.Error.WriteLine("usage: Switchboard.HeapStat <pid> [--top N] [--per CALLS] [--owners TYPE]");
    return 2;
}

var top = IntOption("--top", 40);
var per = Math.Max(1, IntOption("--per", 1));
var ownersOf = Option("--owners");

using var target = DataTarget.AttachToProcess(pid, suspend: true);
using var runtime = target.ClrVersions[0].CreateRuntime();
var byType = new Dictionary<string, (long Count, long Bytes)>(StringComparer.Ordinal);
long total = 0;
foreach (var obj in runtime.Heap.EnumerateObjects())
{
    if (!obj.IsValid)
    {
        continue;
    }

    var name = obj.Type?.Name ?? "?";
    var size = (long)obj.Size;
    total += size;
    var entry = byType.GetValueOrDefault(name);
    byType[name] = (entry.Count + 1, entry.Bytes + size);
}

Console.WriteLine($"heap objects: {total:N0} bytes{(per > 1 ? $" ({total / 1024.0 / per:F1} KiB per call over {per})" : "")}");
Console.WriteLine("     bytes      count  type");
foreach (var (name, entry) in byType.OrderByDescending(kv => kv.Value.Bytes).Take(top))
{
    Console.WriteLine(per > 1
        ? $"{entry.Bytes / (double)per,10:F0} {entry.Count / (double)per,10:F2}  {name}   (per call)"
        : $"{entry.Bytes,10} {entry.Count,10}  {name}");
}

if (ownersOf is not null)
{
    var owners = new Dictionary<string, int>(StringComparer.Ordinal);
    foreach (var obj in runtime.Heap.EnumerateObjects())
    {
        if (!obj.IsValid || obj.Type is null)
        {
            continue;
        }

        foreach (var child in obj.EnumerateReferences())
        {
            if (child.IsValid && child.Type?.Name == ownersOf)
            {
                var key = $"{child.Size,8} B  <- {obj.Type.Name}";
                owners[key] = owners.GetValueOrDefault(key) + 1;
            }
        }
    }

    Console.WriteLine($"-- who holds {ownersOf} (size, holder type, count)");
    foreach (var (key, count) in owners.OrderByDescending(kv => kv.Value).Take(top))
    {
        Console.WriteLine($"{count,8}  {key}");
    }
}

return 0;

int IntOption(string name, int fallback) =>
    Option(name) is { } value && int.TryParse(value, CultureInfo.InvariantCulture, out var parsed) ? parsed : fallback;

string? Option(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}
