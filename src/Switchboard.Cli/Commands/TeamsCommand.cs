using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Cli.Admin;
using Switchboard.Cli.Output;

namespace Switchboard.Cli.Commands;

/// <summary>
/// <c>switchboard teams show|update</c>: the team the command acts for (remote: the key's; local: the default or
/// <c>--team</c>) and its limits, in either mode; <c>switchboard teams list|create</c>: tenants, local mode only (the REST
/// API acts within one key's team and cannot list or create teams). A new team starts empty: give it a key with
/// <c>keys create --team</c>.
/// </summary>
internal static class TeamsCommand
{
    /// <summary>Builds the command group.</summary>
    /// <param name="environment">Reads environment variables (injectable for tests).</param>
    public static Command Create(Func<string, string?> environment)
    {
        var admin = new AdminOptions(environment);
        var command = new Command("teams", "Show your team and change its limits; list and create teams (local mode only)");
        admin.AddTo(command);
        command.Subcommands.Add(ShowTeam(admin));
        command.Subcommands.Add(UpdateTeam(admin));
        command.Subcommands.Add(ListTeams(admin));
        command.Subcommands.Add(CreateTeam(admin));
        return command;
    }

    private static Command ShowTeam(AdminOptions admin)
    {
        var command = new Command("show", "Show the team (remote: the API key's; local: the default team or --team) and its limits");
        command.SetAction((parse, ct) => AdminAction.RunAsync(parse, admin, async (client, output) =>
        {
            WriteTeam(output, await client.GetTeamAsync(ct).ConfigureAwait(false), null);
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command UpdateTeam(AdminOptions admin)
    {
        var limits = new LimitInputOptions(forEndpoint: false);
        var command = new Command("update", "Change the team's limits: only the options given change (0 removes a cap or budget; --time-zone \"\" means UTC)");
        limits.AddTo(command);
        command.SetAction((parse, ct) => AdminAction.RunAsync(parse, admin, async (client, output) =>
        {
            if (!limits.AnyGiven(parse))
            {
                throw AdminException.Invalid("nothing to change: give at least one limit option (see 'switchboard teams update --help')");
            }

            var changes = new JsonObject();
            limits.WriteInto(changes, parse);
            var team = await client.UpdateTeamLimitsAsync(changes, ct).ConfigureAwait(false);
            WriteTeam(output, team, $"Updated the limits of team '{team.Name}': {string.Join(", ", changes.Select(c => c.Key))}.");
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    /// <summary>The team and its limits, as text or as the API's JSON.</summary>
    private static void WriteTeam(AdminOutput output, TeamDetail team, string? headline)
    {
        if (output.Json)
        {
            output.WriteJson(JsonSerializer.Serialize(team, AdminJson.Context.TeamDetail));
            return;
        }

        var w = output.Out;
        if (headline is not null)
        {
            w.WriteLine(headline);
        }

        var l = team.Limits;
        w.WriteLine($"Team                    {team.Name} ({team.Id:D})");
        if (team.Key is { } key)
        {
            w.WriteLine($"Key                     {key.Prefix} ({Formats.List(key.Scopes)})");
        }

        w.WriteLine($"Max call length         {Seconds(l.MaxCallSeconds)}");
        w.WriteLine($"Max call seconds a day  {Seconds(l.MaxDailyCallSeconds)}");
        w.WriteLine($"Max cost per call       {Usd(l.MaxCallCostUsd)}");
        w.WriteLine($"Max cost a day          {Usd(l.MaxDailyCostUsd)}");
        w.WriteLine($"Max concurrent calls    {(l.MaxConcurrentCalls == 0 ? "no cap" : l.MaxConcurrentCalls.ToString(CultureInfo.InvariantCulture))}");
        w.WriteLine($"Days counted in         {l.TimeZone ?? "UTC"}");
    }

    private static string Seconds(int seconds) =>
        seconds == 0 ? "none" : string.Create(CultureInfo.InvariantCulture, $"{seconds} s ({Formats.Duration(TimeSpan.FromSeconds(seconds))})");

    private static string Usd(double usd) => usd == 0 ? "none" : Formats.Usd(usd);

    private static Command ListTeams(AdminOptions admin)
    {
        var command = new Command("list", "List the gateway's teams");
        command.SetAction((parse, ct) => AdminAction.RunAsync(parse, admin, async (client, output) =>
        {
            var local = RequireLocal(client);
            var teams = (await local.ListTeamsAsync(ct).ConfigureAwait(false))
                .Select(t => new TeamView(t.Id, t.Name, t.CreatedAt, t.Id == local.DefaultTeam.Id))
                .ToList();
            if (output.Json)
            {
                output.WriteJson(JsonSerializer.Serialize(teams, AdminJson.Context.ListTeamView));
                return ExitCodes.Ok;
            }

            var table = new TextTable("ID", "NAME", "DEFAULT", "CREATED");
            foreach (var team in teams)
            {
                table.AddRow(team.Id.ToString("D"), team.Name, team.IsDefault ? "yes" : "no", Formats.Time(team.CreatedAt));
            }

            table.Write(output.Out);
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command CreateTeam(AdminOptions admin)
    {
        var name = new Argument<string>("name") { Description = "The new team's name, unique on the gateway" };
        var command = new Command("create", "Create a team") { name };
        command.SetAction((parse, ct) => AdminAction.RunAsync(parse, admin, async (client, output) =>
        {
            var team = await RequireLocal(client).CreateTeamAsync(parse.GetValue(name)!, ct).ConfigureAwait(false);
            if (output.Json)
            {
                output.WriteJson(JsonSerializer.Serialize(new TeamView(team.Id, team.Name, team.CreatedAt, false), AdminJson.Context.TeamView));
            }
            else
            {
                output.Out.WriteLine($"Created team '{team.Name}' ({team.Id:D}). Give it a key: switchboard keys create --team {team.Name} --name admin --scopes ADMIN");
            }

            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static LocalAdminClient RequireLocal(IAdminClient client) =>
        client as LocalAdminClient ?? throw AdminException.Invalid("teams are listed and created in local mode only (the REST API acts within one key's team); run without --server on the gateway's machine");
}
