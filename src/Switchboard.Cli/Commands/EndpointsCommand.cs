using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Cli.Admin;
using Switchboard.Cli.Output;
using Switchboard.Server.Api;

namespace Switchboard.Cli.Commands;

/// <summary><c>switchboard endpoints create|list|show|update|delete</c>: the team's agent endpoints.</summary>
internal static class EndpointsCommand
{
    /// <summary>Builds the command group.</summary>
    /// <param name="environment">Reads environment variables (injectable for tests).</param>
    public static Command Create(Func<string, string?> environment)
    {
        var admin = new AdminOptions(environment);
        var command = new Command("endpoints", "Create, list, show, update and delete agent endpoints");
        admin.AddTo(command);
        command.Subcommands.Add(CreateEndpoint(admin));
        command.Subcommands.Add(ListEndpoints(admin));
        command.Subcommands.Add(ShowEndpoint(admin));
        command.Subcommands.Add(UpdateEndpoint(admin));
        command.Subcommands.Add(DeleteEndpoint(admin));
        return command;
    }

    private static Command CreateEndpoint(AdminOptions admin)
    {
        var input = new EndpointInputOptions();
        var command = new Command("create", "Create an endpoint from options and/or a JSON file; unset fields take their defaults");
        input.AddTo(command);
        command.SetAction((parse, ct) => AdminAction.RunAsync(parse, admin, async (client, output) =>
        {
            var body = input.BuildBody(parse);
            if (body["name"] is null)
            {
                throw AdminException.Invalid("endpoints create needs --name (or a \"name\" in --file)");
            }

            var endpoint = await client.CreateEndpointAsync(body, ct).ConfigureAwait(false);
            WriteResult(output, endpoint, $"Created endpoint '{endpoint.Name}' ({endpoint.Id:D}){(endpoint.IsDefault ? ", the team's default" : "")}.");
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command ListEndpoints(AdminOptions admin)
    {
        var paging = new PagingOptions();
        var command = new Command("list", "List the team's endpoints");
        paging.AddTo(command);
        command.SetAction((parse, ct) => AdminAction.RunAsync(parse, admin, async (client, output) =>
        {
            var (page, limit) = (parse.GetValue(paging.Page), parse.GetValue(paging.Limit));
            AdminAction.CheckPaging(page, limit);
            var list = await client.ListEndpointsAsync(page, limit, ct).ConfigureAwait(false);
            if (output.Json)
            {
                output.WriteJson(new JsonObject
                {
                    ["endpoints"] = new JsonArray(list.Endpoints.Select(e => (JsonNode?)AdminJson.ToJson(e)).ToArray()),
                    ["pagination"] = JsonSerializer.SerializeToNode(list.Pagination, AdminJson.Context.PaginationInfo),
                });
                return ExitCodes.Ok;
            }

            var table = new TextTable("ID", "NAME", "DEFAULT", "BACKEND", "VOICE", "MODES", "CARRIERS", "PHONE NUMBERS", "UPDATED");
            foreach (var e in list.Endpoints)
            {
                var spec = e.Spec;
                table.AddRow(
                    e.Id.ToString("D"), e.Name, e.IsDefault ? "yes" : "no", spec.Backend + (string.IsNullOrEmpty(spec.Model) ? "" : "/" + spec.Model),
                    spec.Voice, Formats.List(spec.Modes), Formats.List(spec.Carriers), Formats.List(spec.PhoneNumbers), Formats.Time(e.UpdatedAt));
            }

            table.Write(output.Out);
            WritePageFooter(output.Out, list.Pagination, "endpoint");
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command ShowEndpoint(AdminOptions admin)
    {
        var target = new Argument<string>("id-or-name") { Description = "The endpoint's id or name" };
        var command = new Command("show", "Print an endpoint's full configuration as JSON") { target };
        command.SetAction((parse, ct) => AdminAction.RunAsync(parse, admin, async (client, output) =>
        {
            var endpoint = await client.GetEndpointAsync(parse.GetValue(target)!, ct).ConfigureAwait(false);
            output.WriteJson(AdminJson.ToJson(endpoint));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command UpdateEndpoint(AdminOptions admin)
    {
        var target = new Argument<string>("id-or-name") { Description = "The endpoint's id or name" };
        var input = new EndpointInputOptions();
        var command = new Command("update", "Change an endpoint: only the fields given (options or --file) change; --name renames") { target };
        input.AddTo(command);
        command.SetAction((parse, ct) => AdminAction.RunAsync(parse, admin, async (client, output) =>
        {
            var patch = input.BuildBody(parse, out var limitsFromOptionsOnly);
            if (patch.Count == 0)
            {
                throw AdminException.Invalid("nothing to change: give --file or at least one field option (see 'switchboard endpoints update --help')");
            }

            if (limitsFromOptionsOnly)
            {
                // The API replaces limits whole: keep the limits not named on the command line.
                var current = await client.GetEndpointAsync(parse.GetValue(target)!, ct).ConfigureAwait(false);
                var limits = AdminJson.SpecToJson(current.Spec)["limits"] as JsonObject ?? [];
                foreach (var (field, value) in patch["limits"]!.AsObject())
                {
                    limits[field] = value?.DeepClone();
                }

                patch["limits"] = limits.DeepClone();
            }

            var endpoint = await client.UpdateEndpointAsync(parse.GetValue(target)!, patch, ct).ConfigureAwait(false);
            WriteResult(output, endpoint, $"Updated endpoint '{endpoint.Name}' ({endpoint.Id:D}): {string.Join(", ", patch.Select(p => p.Key))}.");
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command DeleteEndpoint(AdminOptions admin)
    {
        var target = new Argument<string>("id-or-name") { Description = "The endpoint's id or name" };
        var command = new Command("delete", "Delete an endpoint (not the team's default)") { target };
        command.SetAction((parse, ct) => AdminAction.RunAsync(parse, admin, async (client, output) =>
        {
            var endpoint = await client.DeleteEndpointAsync(parse.GetValue(target)!, ct).ConfigureAwait(false);
            WriteResult(output, endpoint, $"Deleted endpoint '{endpoint.Name}' ({endpoint.Id:D}).");
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static void WriteResult(AdminOutput output, EndpointView endpoint, string message)
    {
        if (output.Json)
        {
            output.WriteJson(AdminJson.ToJson(endpoint));
        }
        else
        {
            output.Out.WriteLine(message);
        }
    }

    /// <summary>"Page 1 of 3 (45 endpoints). Next: --page 2" under a listing.</summary>
    internal static void WritePageFooter(TextWriter writer, PaginationInfo pagination, string noun)
    {
        var total = pagination.Total == 1 ? $"1 {noun}" : $"{pagination.Total} {noun}s";
        writer.WriteLine(pagination.HasMore
            ? $"Page {pagination.Page} of {pagination.TotalPages} ({total}). Next: --page {pagination.Page + 1}"
            : $"Page {pagination.Page} of {Math.Max(1, pagination.TotalPages)} ({total}).");
    }
}
