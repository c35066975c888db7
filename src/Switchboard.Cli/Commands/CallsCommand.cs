using System.CommandLine;
using System.Text.Json;
using Switchboard.Cli.Admin;
using Switchboard.Cli.Output;

namespace Switchboard.Cli.Commands;

/// <summary>
/// <c>switchboard calls list|show</c>: the team's calls and their transcripts; <c>switchboard calls live|hangup</c>: the calls
/// running on a gateway right now, remote mode only (they live in the gateway's memory, not in the database).
/// </summary>
internal static class CallsCommand
{
    /// <summary>Builds the command group.</summary>
    /// <param name="environment">Reads environment variables (injectable for tests).</param>
    public static Command Create(Func<string, string?> environment)
    {
        var admin = new AdminOptions(environment);
        var command = new Command("calls", "List calls and show their transcripts; list live calls and hang them up");
        admin.AddTo(command);
        command.Subcommands.Add(ListCalls(admin));
        command.Subcommands.Add(ShowCall(admin));
        command.Subcommands.Add(LiveCalls(admin));
        command.Subcommands.Add(HangUp(admin));
        return command;
    }

    private static Command LiveCalls(AdminOptions admin)
    {
        var paging = new PagingOptions();
        var command = new Command("live", "List the calls running now on the gateway (--server), newest first");
        paging.AddTo(command);
        command.SetAction((parse, ct) => RemoteOnly(parse, admin) ?? AdminAction.RunAsync(parse, admin, async (client, output) =>
        {
            var (page, limit) = (parse.GetValue(paging.Page), parse.GetValue(paging.Limit));
            AdminAction.CheckPaging(page, limit);
            var list = await client.ListLiveCallsAsync(page, limit, ct).ConfigureAwait(false);
            if (output.Json)
            {
                output.WriteJson(JsonSerializer.Serialize(list, AdminJson.Context.CallListResponse));
                return ExitCodes.Ok;
            }

            var table = new TextTable("ID", "STARTED", "RUNNING", "CHANNEL", "ENDPOINT", "CARRIER CALL", "EVENTS");
            foreach (var c in list.Calls)
            {
                table.AddRow(
                    c.Id, Formats.Time(c.StartedAt), c.DurationMs is { } ms ? Formats.Duration(TimeSpan.FromMilliseconds(ms)) : "-",
                    c.Channel, c.EndpointId?.ToString("D"), c.CarrierCallId, c.EventCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            table.Write(output.Out);
            EndpointsCommand.WritePageFooter(output.Out, list.Pagination, "live call");
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command HangUp(AdminOptions admin)
    {
        var id = new Argument<string>("call-id") { Description = "The live call's id (from 'calls live')" };
        var say = new Option<string?>("--say") { HelpName = "text", Description = "What the agent says before the call ends [default: a short goodbye in its own words]" };
        var reason = new Option<string?>("--reason") { HelpName = "text", Description = "Why, kept as the call's end detail [default: hung up by an operator]" };
        var command = new Command("hangup", "Hang up a live call (--server) after the agent's goodbye; it ends as operator_hangup") { id, say, reason };
        command.SetAction((parse, ct) => RemoteOnly(parse, admin) ?? AdminAction.RunAsync(parse, admin, async (client, output) =>
        {
            var result = await client.HangUpCallAsync(parse.GetValue(id)!, parse.GetValue(reason), parse.GetValue(say), ct).ConfigureAwait(false);
            if (output.Json)
            {
                output.WriteJson(JsonSerializer.Serialize(result, AdminJson.Context.HangupResponse));
            }
            else
            {
                output.Out.WriteLine($"Hanging up call {result.Id}: the agent says goodbye, then the call ends ({result.EndReason}). 'calls show {result.Id}' has the record.");
            }

            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    /// <summary>Live calls are in a running gateway's memory: without <c>--server</c> the command refuses before opening the database.</summary>
    private static Task<int>? RemoteOnly(ParseResult parse, AdminOptions admin)
    {
        if (admin.IsRemote(parse))
        {
            return null;
        }

        parse.InvocationConfiguration.Error.WriteLine("error: " + LocalAdminClient.LiveCallsNeedTheGateway);
        return Task.FromResult(ExitCodes.Usage);
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
