using System.Globalization;

namespace Switchboard.Cli.Output;

/// <summary>How the admin commands print times and durations: UTC, invariant culture, short.</summary>
internal static class Formats
{
    /// <summary><c>2025-06-01 14:03:22Z</c>, or <c>-</c>.</summary>
    public static string Time(DateTimeOffset? at) =>
        at is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "-";

    /// <summary><c>45s</c>, <c>3m 07s</c>, <c>1h 02m</c>.</summary>
    public static string Duration(TimeSpan span)
    {
        if (span < TimeSpan.Zero)
        {
            span = TimeSpan.Zero;
        }

        return span.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours}h {span.Minutes:00}m")
            : span.TotalMinutes >= 1
                ? string.Create(CultureInfo.InvariantCulture, $"{span.Minutes}m {span.Seconds:00}s")
                : string.Create(CultureInfo.InvariantCulture, $"{span.Seconds}s");
    }

    /// <summary>Elapsed time as <c>hh:mm:ss</c> (never negative).</summary>
    public static string Clock(TimeSpan span)
    {
        if (span < TimeSpan.Zero)
        {
            span = TimeSpan.Zero;
        }

        return string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours:00}:{span.Minutes:00}:{span.Seconds:00}");
    }

    /// <summary>Milliseconds as seconds with one decimal: <c>1.2 s</c>.</summary>
    public static string Seconds(long milliseconds) =>
        string.Create(CultureInfo.InvariantCulture, $"{milliseconds / 1000.0:0.0} s");

    /// <summary>US dollars: <c>$12.50</c>, <c>$0.0034</c>.</summary>
    public static string Usd(double usd) =>
        string.Create(CultureInfo.InvariantCulture, $"${usd:0.00##}");

    /// <summary>A comma-separated list, or <c>-</c> when empty.</summary>
    public static string List(IEnumerable<string>? items)
    {
        var text = string.Join(",", items ?? []);
        return text.Length == 0 ? "-" : text;
    }
}
