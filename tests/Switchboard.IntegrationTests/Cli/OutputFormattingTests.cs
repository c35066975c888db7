using Switchboard.Cli.Output;
using Switchboard.Server.Api;

namespace Switchboard.IntegrationTests.Cli;

/// <summary>Pure formatting of the admin commands' text output (unit tests; they live here because only this project references the CLI).</summary>
public sealed class OutputFormattingTests
{
    [Fact]
    public void TextTable_Write_AlignsColumnsAndMarksEmptyCells()
    {
        var table = new TextTable("ID", "NAME", "NOTE");
        table.AddRow("1", "a-long-name", null);
        table.AddRow("22", "b", "two\nlines");
        using var writer = new StringWriter { NewLine = "\n" };

        table.Write(writer);

        Assert.Equal(
            "ID  NAME         NOTE\n" +
            "1   a-long-name  -\n" +
            "22  b            two lines\n",
            writer.ToString());
    }

    [Fact]
    public void TextTable_AddRow_WrongCellCount_Throws() =>
        Assert.Throws<ArgumentException>(() => new TextTable("A", "B").AddRow("only one"));

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(45_400, "45s")]
    [InlineData(83_000, "1m 23s")]
    [InlineData(3_725_000, "1h 02m")]
    [InlineData(-5_000, "0s")]
    public void Duration_Milliseconds_ShortForm(long ms, string expected) =>
        Assert.Equal(expected, Formats.Duration(TimeSpan.FromMilliseconds(ms)));

    [Fact]
    public void Time_ConvertsToUtcAndPrintsDashForNull()
    {
        Assert.Equal("2025-06-01 12:00:05Z", Formats.Time(new DateTimeOffset(2025, 6, 1, 14, 0, 5, TimeSpan.FromHours(2))));
        Assert.Equal("-", Formats.Time(null));
    }

    [Theory]
    [InlineData("caller", "Hi", 2_500, false, null, "[00:00:02] caller: Hi")]
    [InlineData("agent", "Sure", 3_700_000, true, 1_240L, "[01:01:40] agent: Sure (interrupted, heard 1.2 s)")]
    [InlineData("agent", "Sure", 10_000, true, null, "[00:00:10] agent: Sure (interrupted)")]
    [InlineData("agent", "Before start", -200, false, null, "[00:00:00] agent: Before start")]
    public void FormatTurn_RelativeClockAndInterruption(string role, string text, long afterMs, bool interrupted, long? heardMs, string expected)
    {
        var start = new DateTimeOffset(2025, 6, 1, 14, 0, 0, TimeSpan.Zero);

        var line = CallPrinter.FormatTurn(new TranscriptTurnResponse(role, text, start.AddMilliseconds(afterMs), interrupted, heardMs), start);

        Assert.Equal(expected, line);
    }
}
