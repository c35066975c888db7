using System.CommandLine;
using Switchboard.Cli.Admin;

namespace Switchboard.Cli.Commands;

/// <summary>
/// The options every admin command group shares (<c>--json</c>, <c>--server</c>, <c>--api-key</c>, <c>--team</c>,
/// <c>--config</c>), declared on the group and inherited by its subcommands, and the choice of mode they imply:
/// remote with <c>--server</c> (or <c>SWITCHBOARD_SERVER</c>), otherwise the local database.
/// </summary>
internal sealed class AdminOptions
{
    /// <summary>The gateway's base URL for remote mode.</summary>
    public const string ServerVariable = "SWITCHBOARD_SERVER";

    /// <summary>The API key for remote mode.</summary>
    public const string ApiKeyVariable = "SWITCHBOARD_API_KEY";

    private readonly Func<string, string?> _environment;

    public AdminOptions(Func<string, string?> environment) => _environment = environment;

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print JSON (the REST API's shapes) instead of tables and text",
        Recursive = true,
    };

    public Option<string?> Server { get; } = new("--server")
    {
        HelpName = "url",
        Description = $"Remote mode: the gateway's base URL, e.g. http://gw.example.com:5050 [default: ${ServerVariable}; none = local mode]",
        Recursive = true,
    };

    public Option<string?> ApiKey { get; } = new("--api-key")
    {
        HelpName = "key",
        Description = $"Remote mode: the API key to send as X-API-Key [default: ${ApiKeyVariable}]",
        Recursive = true,
    };

    public Option<string?> Team { get; } = new("--team")
    {
        HelpName = "name",
        Description = "Local mode: act for this team [default: the default team]",
        Recursive = true,
    };

    public Option<string?> Config { get; } = new("--config")
    {
        HelpName = "file.json",
        Description = "Local mode: the gateway's configuration file, as for 'serve --config' [default: $SWITCHBOARD_CONFIG]",
        Recursive = true,
    };

    /// <summary>Adds the shared options to a command group.</summary>
    public void AddTo(Command group)
    {
        group.Options.Add(Json);
        group.Options.Add(Server);
        group.Options.Add(ApiKey);
        group.Options.Add(Team);
        group.Options.Add(Config);
    }

    /// <summary>Whether the command runs against a remote gateway.</summary>
    public bool IsRemote(ParseResult parse) => !string.IsNullOrWhiteSpace(ServerUrl(parse));

    /// <summary>
    /// Opens the client for the chosen mode. Options that only make sense in the other mode are usage errors
    /// rather than silently ignored, so an operator never acts on a different database than they think.
    /// </summary>
    /// <param name="parse">The parsed command line.</param>
    /// <param name="localOnly">Options the command has that only local mode understands (e.g. <c>--all-teams</c>).</param>
    /// <param name="allTeams">Local mode: calls of every team.</param>
    /// <param name="firstRunHint">Local mode: suggest creating a key if this run created the default team.</param>
    /// <param name="cancellationToken">Cancels opening.</param>
    public async Task<IAdminClient> OpenAsync(ParseResult parse, IReadOnlyList<Option> localOnly, bool allTeams, bool firstRunHint, CancellationToken cancellationToken)
    {
        var server = ServerUrl(parse);
        if (!string.IsNullOrWhiteSpace(server))
        {
            foreach (var option in localOnly.Append(Team).Append(Config))
            {
                if (parse.GetResult(option) is { Implicit: false })
                {
                    throw AdminException.Invalid($"{option.Name} applies to local mode only; with --server the API key decides the team");
                }
            }

            if (!Uri.TryCreate(server, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                throw AdminException.Invalid($"--server must be an http:// or https:// URL (got '{server}')");
            }

            var key = parse.GetValue(ApiKey);
            if (string.IsNullOrWhiteSpace(key))
            {
                key = _environment(ApiKeyVariable);
            }

            if (string.IsNullOrWhiteSpace(key))
            {
                throw AdminException.Invalid($"remote mode needs an API key: --api-key or ${ApiKeyVariable}");
            }

            key = key.Trim();
            if (key.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
            {
                // It goes into a header: refuse rather than send something the gateway would read differently.
                throw AdminException.Invalid("the API key contains spaces or control characters; paste it exactly as printed by 'keys create'");
            }

            return new HttpAdminClient(uri, key);
        }

        if (parse.GetResult(ApiKey) is { Implicit: false })
        {
            throw AdminException.Invalid($"--api-key needs --server (or ${ServerVariable}); without them the command opens the local database");
        }

        var stderr = parse.InvocationConfiguration.Error;
        return await LocalStorage.OpenAsync(parse.GetValue(Config), parse.GetValue(Team), allTeams, stderr, firstRunHint, cancellationToken).ConfigureAwait(false);
    }

    private string? ServerUrl(ParseResult parse)
    {
        var server = parse.GetValue(Server);
        return string.IsNullOrWhiteSpace(server) ? _environment(ServerVariable) : server;
    }
}
