using System.CommandLine;
using System.CommandLine.Invocation;
using Switchboard.Cli.Commands;

namespace Switchboard.Cli;

/// <summary>The <c>switchboard</c> command tree, buildable in-process so tests run commands with captured output.</summary>
internal static class CliApp
{
    /// <summary>Builds the root command.</summary>
    /// <param name="environment">Reads the CLI's own environment variables (<c>SWITCHBOARD_SERVER</c>, <c>SWITCHBOARD_API_KEY</c>).</param>
    public static RootCommand CreateRoot(Func<string, string?> environment) => new("Switchboard: a realtime voice-AI gateway, and tools to run, exercise and administer it.")
    {
        ServeCommand.Create(),
        SimulateCommand.Create(),
        SipCommand.Create(),
        KeysCommand.Create(environment),
        EndpointsCommand.Create(environment),
        CallsCommand.Create(environment),
        DrainCommand.Create(environment),
        UsageCommand.Create(environment),
        WebhooksCommand.Create(environment),
        TeamsCommand.Create(environment),
        CtlCommand.Create(environment),
    };

    /// <summary>
    /// Parses and runs a command line. Command-line mistakes print <c>error: …</c> lines and exit with
    /// <see cref="ExitCodes.Usage"/> (2) rather than System.CommandLine's default 1, which the admin commands use for API errors.
    /// </summary>
    public static async Task<int> InvokeAsync(string[] args, InvocationConfiguration? configuration = null, Func<string, string?>? environment = null, CancellationToken cancellationToken = default)
    {
        configuration ??= new InvocationConfiguration();
        var parse = CreateRoot(environment ?? Environment.GetEnvironmentVariable).Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is ParseErrorAction)
        {
            foreach (var error in parse.Errors)
            {
                await configuration.Error.WriteLineAsync("error: " + error.Message).ConfigureAwait(false);
            }

            await configuration.Error.WriteLineAsync($"See '{CommandPath(parse.CommandResult.Command)} --help'.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        if (parse.CommandResult.Command.Name == ServeCommand.Name)
        {
            // The gateway handles SIGTERM and Ctrl+C itself (a graceful drain, then exit 0); System.CommandLine would
            // cancel it at once and force exit code 143 or 130 two seconds later.
            configuration.ProcessTerminationTimeout = null;
        }

        return await parse.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
    }

    private static string CommandPath(Command command)
    {
        var names = new List<string>();
        for (Symbol? symbol = command; symbol is Command c; symbol = c.Parents.FirstOrDefault())
        {
            names.Add(c is RootCommand ? "switchboard" : c.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }
}
