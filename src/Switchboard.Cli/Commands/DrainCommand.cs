using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Switchboard.Cli.Admin;
using Switchboard.Server.Api;

namespace Switchboard.Cli.Commands;

/// <summary>
/// <c>switchboard drain [--wait] --server URL</c>: takes a gateway node out of service before a restart, as SIGTERM does, and
/// with <c>--wait</c> returns only once its last call has ended. Made for an orchestrator's pre-stop hook (Kubernetes
/// <c>preStop</c>): the SIGTERM that follows the hook then finds nothing live and the process exits at once.
/// </summary>
internal static class DrainCommand
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    /// <summary>Builds the command.</summary>
    /// <param name="environment">Reads environment variables (injectable for tests).</param>
    public static Command Create(Func<string, string?> environment)
    {
        var admin = new AdminOptions(environment);
        var wait = new Option<bool>("--wait") { Description = "Return once the node has no live call left (or has exited), not right after the drain began" };
        var command = new Command("drain", "Drain the gateway node (--server): refuse new calls, let running calls finish or say goodbye, then exit") { wait };
        admin.AddTo(command);
        command.SetAction((parse, ct) =>
        {
            if (!admin.IsRemote(parse))
            {
                parse.InvocationConfiguration.Error.WriteLine("error: " + LocalAdminClient.DrainNeedsTheGateway);
                return Task.FromResult(ExitCodes.Usage);
            }

            return AdminAction.RunAsync(parse, admin, async (client, output) =>
            {
                var drain = await client.DrainAsync(ct).ConfigureAwait(false);
                if (output.Json && !parse.GetValue(wait))
                {
                    output.WriteJson(JsonSerializer.Serialize(drain, AdminJson.Context.DrainResponse));
                    return ExitCodes.Ok;
                }

                output.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Draining since {drain.Since:u}: new calls are refused; {drain.LiveCalls} live call(s) may go on for up to {drain.TimeoutSeconds} s, then hear a goodbye."));
                if (!parse.GetValue(wait))
                {
                    return ExitCodes.Ok;
                }

                return await WaitAsync(client, drain, output, ct).ConfigureAwait(false);
            }, ct);
        });
        return command;
    }

    /// <summary>Asks again each second (the drain is idempotent and reports the live calls) until none is left or the node has exited.</summary>
    private static async Task<int> WaitAsync(IAdminClient client, DrainResponse drain, AdminOutput output, CancellationToken ct)
    {
        var live = drain.LiveCalls;
        while (live > 0)
        {
            await Task.Delay(Poll, ct).ConfigureAwait(false);
            try
            {
                live = (await client.DrainAsync(ct).ConfigureAwait(false)).LiveCalls;
            }
            catch (AdminException ex) when (ex.Kind == AdminErrorKind.Unavailable)
            {
                // Once its last call is journalled the node exits: nothing answering is the drain's end.
                output.Out.WriteLine("The node has exited.");
                return ExitCodes.Ok;
            }
        }

        output.Out.WriteLine("No live call is left; the node exits.");
        return ExitCodes.Ok;
    }
}
