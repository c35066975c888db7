using System.Globalization;
using Switchboard.Journal;
using Switchboard.Limits;

namespace Switchboard.Tests.Limits;

public class UsageQueryTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    private static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);

    private static UsageQuery Parse(string? from, string? to, string now, TimeZoneInfo zone)
    {
        Assert.True(UsageQuery.Parse(from, to, At(now), zone).Succeeded(out var query, out var error), error?.Detail);
        return query;
    }

    [Fact]
    public void Parse_Nothing_IsTheLastSevenLocalDaysUpToNow_AcrossADaylightSavingChange()
    {
        // Berlin moves to summer time on 29 March 2026: the span still starts at a local midnight.
        var query = Parse(null, null, "2026-03-31T10:00:00Z", Berlin);

        Assert.Equal(At("2026-03-25T00:00:00+01:00"), query.From);
        Assert.Equal(At("2026-03-31T10:00:00Z"), query.To);
    }

    [Fact]
    public void Parse_Dates_AreWholeLocalDays_ToIncluded()
    {
        var query = Parse("2026-03-29", "2026-03-29", "2026-06-01T00:00:00Z", Berlin);

        Assert.Equal(At("2026-03-29T00:00:00+01:00"), query.From);
        Assert.Equal(At("2026-03-30T00:00:00+02:00"), query.To); // a 23-hour day
    }

    [Theory]
    [InlineData("2026-03-01T09:30:00Z", "2026-03-01T09:30:00Z")]
    [InlineData("2026-03-01T10:30:00+01:00", "2026-03-01T09:30:00Z")]
    [InlineData("2026-03-01T10:30:00 01:00", "2026-03-01T09:30:00Z")] // a '+' that arrived as a space
    [InlineData("2026-03-01T10:30", "2026-03-01T09:30:00Z")] // local time in the zone
    [InlineData("2026-03-01T10:30:00.250", "2026-03-01T09:30:00.25Z")]
    public void Parse_DateTimes_WithOrWithoutAnOffset(string from, string expected)
    {
        Assert.Equal(At(expected), Parse(from, "2026-03-02", "2026-06-01T00:00:00Z", Berlin).From);
    }

    [Theory]
    [InlineData("2026-02-30", null, "from")]
    [InlineData("1 March", null, "from")]
    [InlineData(null, "2026-03-01T09:30:00+1", "to")]
    [InlineData("2026-03-02", "2026-03-01", "to")]
    [InlineData("2026-07-01", null, "from")] // after now
    [InlineData("2026-01-01", "2026-04-03", "from")] // 93 days
    public void Parse_BadOrOutOfRange_NamesTheParameter(string? from, string? to, string field)
    {
        Assert.False(UsageQuery.Parse(from, to, At("2026-06-01T00:00:00Z"), TimeZoneInfo.Utc).Succeeded(out _, out var error));
        Assert.Equal([field], error.Errors.Keys);
    }

    [Fact]
    public void Parse_NinetyTwoDays_IsAllowed()
    {
        var query = Parse("2026-01-01", "2026-04-02", "2026-06-01T00:00:00Z", TimeZoneInfo.Utc);

        Assert.Equal(TimeSpan.FromDays(92), query.To - query.From);
    }

    [Fact]
    public void Build_DaysInTheZone_EveryDayListed_RefusedAndUnpricedApart()
    {
        var endpoint = Guid.NewGuid();
        var query = Parse("2026-03-28", "2026-03-30", "2026-06-01T00:00:00Z", Berlin);
        CallUsage[] rows =
        [
            new(endpoint, At("2026-03-28T23:30:00Z"), 60_000, 0.1, false), // 00:30 on the 29th in Berlin
            new(endpoint, At("2026-03-29T10:00:00Z"), 1_500, null, false),
            new(endpoint, At("2026-03-29T11:00:00Z"), 0, 0, true),
            new(null, At("2026-03-29T12:00:00Z"), null, null, false), // still running
        ];

        var report = UsageAdmin.Build(rows, query, Berlin, null);

        Assert.Equal(["2026-03-28", "2026-03-29", "2026-03-30"], report.Days.Select(d => d.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        Assert.Equal(0, report.Days[0].Calls);
        var sunday = report.Days[1];
        Assert.Equal((3, 1, 61.5, 0.1), (sunday.Calls, sunday.Refused, sunday.Seconds, sunday.CostUsd));
        Assert.Equal([endpoint, null], sunday.Endpoints.Select(e => e.EndpointId));
        Assert.Equal(new UsageTotals(3, 1, 61.5, 0.1), report.Totals);
        Assert.Equal("Europe/Berlin", report.TimeZone);
        Assert.Equal(TimeSpan.FromHours(1), report.From.Offset);
        Assert.Equal(TimeSpan.FromHours(2), report.To.Offset);
    }
}
