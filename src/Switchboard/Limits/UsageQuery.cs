using System.Globalization;
using System.Text.RegularExpressions;
using Switchboard.Common;

namespace Switchboard.Limits;

/// <summary>
/// The span of a usage report from its <c>from</c> and <c>to</c> parameters, read in the team's time zone: a date
/// (<c>2026-12-01</c>) is a whole day (<c>from</c> its start, <c>to</c> its end, so <c>from=to=2026-12-01</c> is that
/// day); a date-time with an offset (<c>2026-12-01T09:00:00Z</c>) is that instant; one without is local time in the zone.
/// Defaults: <c>to</c> now, <c>from</c> the start of the sixth day before <c>to</c>'s (the last 7 days, today included).
/// </summary>
/// <param name="From">Start of the span (inclusive).</param>
/// <param name="To">End of the span (exclusive).</param>
internal sealed partial record UsageQuery(DateTimeOffset From, DateTimeOffset To)
{
    /// <summary>The longest span a report covers, in days.</summary>
    public const int MaxDays = 92;

    /// <summary>Days a report covers when <c>from</c> is left out, today included.</summary>
    public const int DefaultDays = 7;

    /// <summary>Reads the parameters; a refusal names the bad parameter (<c>from</c> or <c>to</c>).</summary>
    public static AdminResult<UsageQuery> Parse(string? from, string? to, DateTimeOffset now, TimeZoneInfo zone)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        DateTimeOffset? start = null, end = null;
        if (from is not null)
        {
            if (TryRead(from, zone, endOfDay: false, out var value))
            {
                start = value;
            }
            else
            {
                errors["from"] = [Malformed("from", from)];
            }
        }

        if (to is not null)
        {
            if (TryRead(to, zone, endOfDay: true, out var value))
            {
                end = value;
            }
            else
            {
                errors["to"] = [Malformed("to", to)];
            }
        }

        if (errors.Count > 0)
        {
            return AdminError.Invalid(errors);
        }

        var last = end ?? now;
        var first = start ?? StartOf(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(last.AddTicks(-1), zone).DateTime).AddDays(-(DefaultDays - 1)), zone);
        if (first >= last)
        {
            return AdminError.Invalid(to is null ? "from" : "to", to is null
                ? $"from must be before now ({last.ToString("O", CultureInfo.InvariantCulture)})"
                : $"to must be after from (got from {first.ToString("O", CultureInfo.InvariantCulture)}, to {last.ToString("O", CultureInfo.InvariantCulture)})");
        }

        if (last - first > TimeSpan.FromDays(MaxDays) + TimeSpan.FromHours(1))
        {
            return AdminError.Invalid("from", $"from must be at most {MaxDays} days before to (got {(int)Math.Ceiling((last - first).TotalDays)} days)");
        }

        return new UsageQuery(first, last);
    }

    /// <summary>Midnight of <paramref name="date"/> in <paramref name="zone"/> (through its noon, so a daylight-saving change cannot shift the day).</summary>
    private static DateTimeOffset StartOf(DateOnly date, TimeZoneInfo zone)
    {
        var noon = date.ToDateTime(new TimeOnly(12, 0));
        return UsageLedger.Day(new DateTimeOffset(noon, zone.GetUtcOffset(noon)), zone).Start;
    }

    private static string Malformed(string name, string value) =>
        $"{name} must be an ISO 8601 date (2026-12-01) or date-time (2026-12-01T09:00:00Z) (got '{(value.Length > 40 ? value[..40] + "…" : value)}')";

    private static bool TryRead(string text, TimeZoneInfo zone, bool endOfDay, out DateTimeOffset value)
    {
        value = default;
        text = text.Trim();
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            value = StartOf(endOfDay ? date.AddDays(1) : date, zone);
            return true;
        }

        // A '+' in a query string arrives as a space unless it was encoded (%2B).
        var match = DateTimePattern().Match(text.Replace(' ', '+'));
        if (!match.Success)
        {
            return false;
        }

        if (match.Groups["offset"].Success)
        {
            return DateTimeOffset.TryParse(match.Value, CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
        }

        if (!DateTime.TryParse(match.Value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return false;
        }

        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        value = new DateTimeOffset(local, zone.GetUtcOffset(local));
        return true;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(?<offset>Z|[+-]\d{2}:\d{2})?$", RegexOptions.CultureInvariant)]
    private static partial Regex DateTimePattern();
}
