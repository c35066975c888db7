using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Switchboard.Cli.Admin;
using Switchboard.Cli.Output;
using Switchboard.Limits;

namespace Switchboard.Cli.Commands;

/// <summary><c>switchboard usage [--from] [--to] [--endpoint]</c>: the team's calls, seconds and estimated cost per day.</summary>
internal static class UsageCommand
{
    /// <summary>Builds the command.</summary>
    /// <param name="environment">Reads environment variables (injectable for tests).</param>
    public static Command Create(Func<string, string?> environment)
    {
        var admin = new AdminOptions(environment);
        var from = new Option<string?>("--from")
        {
            HelpName = "date",
            Description = "Start: a date (2026-12-01, its start) or date-time (2026-12-01T09:00:00Z), in the team's time zone [default: 6 days before --to's day]",
        };
        var to = new Option<string?>("--to") { HelpName = "date", Description = "End: a date (that day included) or date-time [default: now]" };
        var endpoint = new Option<string?>("--endpoint") { HelpName = "id-or-name", Description = "Only this endpoint's calls [default: the whole team]" };
        var command = new Command("usage", "Calls, seconds and estimated cost per day, in the team's time zone (at most 92 days)") { from, to, endpoint };
        admin.AddTo(command);
        command.SetAction((parse, ct) => AdminAction.RunAsync(parse, admin, async (client, output) =>
        {
            var report = await client.GetUsageAsync(parse.GetValue(from), parse.GetValue(to), parse.GetValue(endpoint), ct).ConfigureAwait(false);
            if (output.Json)
            {
                output.WriteJson(JsonSerializer.Serialize(report, AdminJson.Context.UsageReport));
                return ExitCodes.Ok;
            }

            Write(output.Out, report, parse.GetValue(endpoint));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static void Write(TextWriter w, UsageReport report, string? endpoint)
    {
        w.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Usage from {report.From:yyyy-MM-dd HH:mm zzz} to {report.To:yyyy-MM-dd HH:mm zzz}, days in {report.TimeZone}, {(endpoint is null ? "all endpoints" : $"endpoint {endpoint}")}"));
        var table = new TextTable("DATE", "CALLS", "REFUSED", "TIME", "COST");
        foreach (var day in report.Days)
        {
            table.AddRow(day.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Count(day.Calls), Count(day.Refused), Time(day.Seconds), Formats.Usd(day.CostUsd));
        }

        var total = report.Totals;
        table.AddRow("total", Count(total.Calls), Count(total.Refused), Time(total.Seconds), Formats.Usd(total.CostUsd));
        table.Write(w);
        w.WriteLine("A call counts toward the day it started in; its time and cost once it has ended. Calls whose model has no price add no cost.");
    }

    private static string Count(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Time(double seconds) => seconds == 0 ? "0s" : Formats.Duration(TimeSpan.FromSeconds(Math.Round(seconds)));
}
