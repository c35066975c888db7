using System.CommandLine;
using Switchboard.Cli;

namespace Switchboard.IntegrationTests.Cli;

/// <summary>The outcome of one in-process <c>switchboard</c> invocation.</summary>
internal sealed record CliRun(int ExitCode, string Out, string Error)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Runs the CLI's real root command with captured output and only the given environment variables.</summary>
    public static async Task<CliRun> InvokeAsync(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CliApp.InvokeAsync(
            args,
            new InvocationConfiguration { Output = stdout, Error = stderr },
            name => environment is not null && environment.TryGetValue(name, out var value) ? value : null).WaitAsync(Timeout);
        return new CliRun(exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>For assertion messages.</summary>
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Error}";
}
