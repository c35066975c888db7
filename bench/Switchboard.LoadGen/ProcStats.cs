using System.Globalization;

namespace Switchboard.LoadGen;

/// <summary>Reads CPU time and resident memory of a process from <c>/proc</c> (Linux only).</summary>
internal static class ProcStats
{
    // USER_HZ: the unit of utime/stime in /proc/<pid>/stat; 100 on every mainstream Linux ABI.
    private const double ClockTicksPerSecond = 100.0;

    /// <summary>utime and stime of <paramref name="pid"/> (all threads), in milliseconds; null when unreadable.</summary>
    public static (double UserMs, double SystemMs)? CpuMs(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) is in parentheses and may contain spaces: split after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // fields[0] is field 3 (state); utime is field 14, stime field 15.
            var utime = long.Parse(fields[11], CultureInfo.InvariantCulture);
            var stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
            return (utime * 1000.0 / ClockTicksPerSecond, stime * 1000.0 / ClockTicksPerSecond);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>Busy and total jiffies of the whole machine (all cores) from <c>/proc/stat</c>; null when unreadable.</summary>
    public static (long Busy, long Total)? MachineJiffies()
    {
        try
        {
            var line = File.ReadLines("/proc/stat").First();
            var values = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            // user nice system idle iowait irq softirq steal (guest time is already counted in user).
            var total = values.Take(8).Sum();
            var idle = values[3] + values[4];
            return (total - idle, total);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>VmRSS of <paramref name="pid"/> in KiB; null when unreadable.</summary>
    public static long? RssKib(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
        }

        return null;
    }
}
