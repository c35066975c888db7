using System.CommandLine;
using System.Text.Json;
using Switchboard.Cli.Admin;
using Switchboard.Cli.Output;
using Switchboard.Control;
using Switchboard.Server;
using Switchboard.Server.Api;

namespace Switchboard.Cli.Commands;

/// <summary><c>switchboard keys create|list|revoke</c>: the team's API keys.</summary>
internal static class KeysCommand
{
    /// <summary>Builds the command group.</summary>
    /// <param name="environment">Reads environment variables (injectable for tests).</param>
    public static Command Create(Func<string, string?> environment)
    {
        var admin = new AdminOptions(environment);
        var command = new Command("keys", "Create, list and revoke API keys");
        admin.AddTo(command);
        command.Subcommands.Add(CreateKey(admin));
        command.Subcommands.Add(ListKeys(admin));
        command.Subcommands.Add(RevokeKey(admin));
        return command;
    }

    private static Command CreateKey(AdminOptions admin)
    {
        var name = new Option<string>("--name") { HelpName = "name", Description = "What the key is for (e.g. admin, ci, web-app)", Required = true };
        var scopes = new Option<string[]>("--scopes")
        {
            HelpName = "SCOPE,…",
            Description = "Comma-separated: " + string.Join(", ", ApiScopeNames.All) + " (ADMIN holds every scope)",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var command = new Command("create", "Create an API key; the key is printed once and never again") { name, scopes };
        command.SetAction((parse, ct) => AdminAction.RunAsync(parse, admin, async (client, output) =>
        {
            // Checked here as well as by the API, so a typo fails before anything is sent.
            if (!ApiScopeNames.TryParse(parse.GetValue(scopes) ?? [], out var parsed, out var unknown))
            {
                throw AdminException.Invalid($"unknown scope '{unknown}'; known: {string.Join(", ", ApiScopeNames.All)}");
            }

            if (parsed == ApiScopes.None)
            {
                throw AdminException.Invalid("give at least one scope: " + string.Join(", ", ApiScopeNames.All));
            }

            var key = await client.CreateKeyAsync(parse.GetValue(name)!, ApiScopeNames.ToNames(parsed), ct).ConfigureAwait(false);
            if (output.Json)
            {
                output.WriteJson(JsonSerializer.Serialize(key, AdminJson.Context.CreatedKeyResponse));
                return ExitCodes.Ok;
            }

            var w = output.Out;
            w.WriteLine(client is LocalAdminClient local ? $"Created API key '{key.Name}' for team '{local.Team.Name}':" : $"Created API key '{key.Name}':");
            w.WriteLine();
            w.WriteLine("    " + key.Key);
            w.WriteLine();
            w.WriteLine("Store it now: it will not be shown again (only its hash is kept).");
            w.WriteLine();
            w.WriteLine($"  id       {key.Id:D}");
            w.WriteLine($"  prefix   {key.Prefix}");
            w.WriteLine($"  scopes   {Formats.List(key.Scopes)}");
            w.WriteLine();
            var baseUrl = client is HttpAdminClient remote ? remote.Server.AbsoluteUri.TrimEnd('/') : GatewayApp.DefaultUrl;
            w.WriteLine($"Send it in the X-API-Key header: curl -H \"X-API-Key: <key>\" {baseUrl}/api/v1/team");
            return ExitCodes.Ok;
        }, ct, firstRunHint: false));
        return command;
    }

    private static Command ListKeys(AdminOptions admin)
    {
        var command = new Command("list", "List the team's API keys (prefix and metadata only; never the key)");
        command.SetAction((parse, ct) => AdminAction.RunAsync(parse, admin, async (client, output) =>
        {
            var keys = await client.ListKeysAsync(ct).ConfigureAwait(false);
            if (output.Json)
            {
                output.WriteJson(JsonSerializer.Serialize(new KeyListResponse(keys), AdminJson.Context.KeyListResponse));
                return ExitCodes.Ok;
            }

            if (keys.Count == 0)
            {
                output.Out.WriteLine("No API keys yet. Create one: switchboard keys create --name admin --scopes ADMIN");
                return ExitCodes.Ok;
            }

            var table = new TextTable("ID", "NAME", "PREFIX", "SCOPES", "CREATED", "LAST USED", "REVOKED");
            foreach (var key in keys)
            {
                table.AddRow(key.Id.ToString("D"), key.Name, key.Prefix, Formats.List(key.Scopes), Formats.Time(key.CreatedAt), Formats.Time(key.LastUsedAt), Formats.Time(key.RevokedAt));
            }

            table.Write(output.Out);
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command RevokeKey(AdminOptions admin)
    {
        var target = new Argument<string>("id-or-prefix") { Description = "The key's id, or its prefix (sb_xxxxxxxx)" };
        var command = new Command("revoke", "Revoke an API key: requests with it get 401 from now on") { target };
        command.SetAction((parse, ct) => AdminAction.RunAsync(parse, admin, async (client, output) =>
        {
            var result = await client.RevokeKeyAsync(parse.GetValue(target)!, ct).ConfigureAwait(false);
            var key = result.Key;
            if (output.Json)
            {
                output.WriteJson(JsonSerializer.Serialize(key, AdminJson.Context.KeyResponse));
            }
            else
            {
                output.Out.WriteLine(result.WasAlreadyRevoked
                    ? $"API key '{key.Name}' ({key.Prefix}) was already revoked at {Formats.Time(key.RevokedAt)}."
                    : $"Revoked API key '{key.Name}' ({key.Prefix}).");
            }

            return ExitCodes.Ok;
        }, ct));
        return command;
    }
}
