using System.CommandLine;
using Switchboard.Server;

namespace Switchboard.Cli.Commands;

/// <summary><c>switchboard serve</c>: runs the gateway host, handing every argument to it unchanged.</summary>
internal static class ServeCommand
{
    /// <summary>The command's name.</summary>
    public const string Name = "serve";

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command(Name, "Run the gateway. Arguments after 'serve' go to the ASP.NET Core host, e.g. --urls http://0.0.0.0:5050.")
        {
            // The host has its own configuration syntax (--urls, --Key=value, …); pass it through untouched.
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction((parseResult, cancellationToken) => GatewayApp.RunAsync([.. parseResult.UnmatchedTokens], cancellationToken));
        return command;
    }
}
