using System.CommandLine;
using System.Text.Json;
using Switchboard.Cli.Admin;
using Switchboard.Cli.Output;

namespace Switchboard.Cli.Commands;

/// <summary><c>switchboard calls list|show</c>: the team's calls and their transcripts.</summary>
internal static class CallsCommand
{
    /// <summary>Builds the command group.</summary>
    /// <param name="environment">Reads environment variables (injectable for tests).</param>
    public static Command Create(Func<string, string?> environment)
    {
        var admin = new AdminOptions(environment);
        var command = new Command("calls", "List calls and show their transcripts");
        admin.AddTo(command);
        command.Subcommands.Add(ListCalls(admin));
        command.Subcommands.Add(ShowCall(admin));
        return command;
    }

    private static Option<bool> AllTeams() => new("--all-teams")
    {
        Description = "Local mode: every team's calls, and calls not attributed to a team",
    };

    private static Command ListCalls(AdminOptions admin)
    {
        var paging = new PagingOptions();
        var allTeams = AllTeams();
        var command = new Command("list", "List calls, newest first") { allTeams };
        paging.AddTo(command);
        command.SetAction((parse, ct) => AdminAction.RunAsync(parse, admin, async (client, output) =>
        {
            var (page, limit) = (parse.GetValue(paging.Page), parse.GetValue(paging.Limit));
            AdminAction.CheckPaging(page, limit);
            var list = await client.ListCallsAsync(page, limit, ct).ConfigureAwait(false);
            if (output.Json)
            {
                output.WriteJson(JsonSerializer.Serialize(list, AdminJson.Context.CallListResponse));
                return ExitCodes.Ok;
            }

            var table = new TextTable("ID", "STARTED", "DURATION", "CHANNEL", "FROM", "TO", "END REASON", "EVENTS");
            foreach (var c in list.Calls)
            {
                table.AddRow(
                    c.Id, Formats.Time(c.StartedAt), c.EndedAt is { } ended ? Formats.Duration(ended - c.StartedAt) : "-",
                    c.Channel, c.From, c.To, c.EndReason, c.EventCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            table.Write(output.Out);
            EndpointsCommand.WritePageFooter(output.Out, list.Pagination, "call");
            return ExitCodes.Ok;
        }, ct, localOnly: [allTeams], allTeams: parse.GetValue(allTeams)));
        return command;
    }

    private static Command ShowCall(AdminOptions admin)
    {
        var id = new Argument<string>("call-id") { Description = "The call's id (from 'calls list')" };
        var allTeams = AllTeams();
        var command = new Command("show", "Show a call's details and transcript") { id, allTeams };
        command.SetAction((parse, ct) => AdminAction.RunAsync(parse, admin, async (client, output) =>
        {
            var detail = await client.GetCallAsync(parse.GetValue(id)!, ct).ConfigureAwait(false);
            if (output.Json)
            {
                output.WriteJson(AdminJson.ToJson(detail));
            }
            else
            {
                CallPrinter.Write(output.Out, detail);
            }

            return ExitCodes.Ok;
        }, ct, localOnly: [allTeams], allTeams: parse.GetValue(allTeams)));
        return command;
    }
}
