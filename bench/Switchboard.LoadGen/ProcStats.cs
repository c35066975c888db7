using System.Globalization;

namespace Switchboard.LoadGen;

/// <summary>Reads CPU time and resident memory of a process from <c>/proc</c> (Linux only).</summary>
internal static class ProcStats
{
    // USER_HZ: the unit of utime/stime in /proc/<pid>/stat; 100 on every mainstream Linux ABI.
    private const double ClockTicksPerSecond = 100.0;

    /// <summary>utime + stime of <paramref name="pid"/>, in milliseconds; null when unreadable.</summary>
    public static double? CpuMs(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) is in parentheses and may contain spaces: split after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // fields[0] is field 3 (state); utime is field 14, stime field 15.
            var utime = long.Parse(fields[11], CultureInfo.InvariantCulture);
            var stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
            return (utime + stime) * 1000.0 / ClockTicksPerSecond;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>VmRSS of <paramref name="pid"/> in KiB; null when unreadable.</summary>
    public static long? RssKiB(int pid)
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
