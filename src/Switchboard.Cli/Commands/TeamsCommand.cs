using System.CommandLine;
using System.Text.Json;
using Switchboard.Cli.Admin;
using Switchboard.Cli.Output;

namespace Switchboard.Cli.Commands;

/// <summary>
/// <c>switchboard teams list|create</c>: tenants, local mode only (the REST API acts within one key's team and
/// has no route for teams). A new team starts empty: give it a key with <c>keys create --team</c>.
/// </summary>
internal static class TeamsCommand
{
    /// <summary>Builds the command group.</summary>
    /// <param name="environment">Reads environment variables (injectable for tests).</param>
    public static Command Create(Func<string, string?> environment)
    {
        var admin = new AdminOptions(environment);
        var command = new Command("teams", "List and create teams (local mode only)");
        admin.AddTo(command);
        command.Subcommands.Add(ListTeams(admin));
        command.Subcommands.Add(CreateTeam(admin));
        return command;
    }

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
        client as LocalAdminClient ?? throw AdminException.Invalid("teams are managed in local mode only (the REST API has no team routes); run without --server on the gateway's machine");
}
