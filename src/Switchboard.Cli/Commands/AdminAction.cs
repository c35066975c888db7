using System.CommandLine;
using Switchboard.Cli.Admin;
using Switchboard.Common;

namespace Switchboard.Cli.Commands;

/// <summary>
/// Runs an admin command body with one error policy: <see cref="AdminException"/>s print as
/// <c>error: &lt;status&gt; &lt;title&gt;: &lt;detail&gt;</c> (remote) or <c>error: &lt;detail&gt;</c> (local) plus any field errors,
/// and every failure maps to a documented exit code (<see cref="ExitCodes"/>).
/// </summary>
internal static class AdminAction
{
    /// <summary>Opens the client, runs <paramref name="body"/>, closes the client.</summary>
    public static async Task<int> RunAsync(
        ParseResult parse,
        AdminOptions admin,
        Func<IAdminClient, AdminOutput, Task<int>> body,
        CancellationToken cancellationToken,
        IReadOnlyList<Option>? localOnly = null,
        bool allTeams = false,
        bool firstRunHint = true)
    {
        var output = new AdminOutput(parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, parse.GetValue(admin.Json));
        try
        {
            var client = await admin.OpenAsync(parse, localOnly ?? [], allTeams, firstRunHint, cancellationToken).ConfigureAwait(false);
            await using (client.ConfigureAwait(false))
            {
                return await body(client, output).ConfigureAwait(false);
            }
        }
        catch (AdminException ex)
        {
            Report(output.Error, ex);
            return ex.ExitCode;
        }
        catch (Exception ex) when (LocalStorage.IsStorageFailure(ex))
        {
            output.Error.WriteLine($"error: storage unavailable: {ex.Message}");
            return ExitCodes.Unavailable;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            output.Error.WriteLine("cancelled");
            return ExitCodes.Cancelled;
        }
    }

    /// <summary>Prints a failure the way every admin command does.</summary>
    public static void Report(TextWriter stderr, AdminException ex)
    {
        // ASP.NET Core's validation title ends with a period ("One or more validation errors occurred."); drop it before the colon.
        stderr.WriteLine(ex.Status is { } status ? $"error: {status} {ex.Title?.TrimEnd('.')}: {ex.Message}" : $"error: {ex.Message}");
        foreach (var (field, messages) in ex.Errors)
        {
            foreach (var message in messages)
            {
                // The validator's messages usually start with the field's name already.
                stderr.WriteLine(field.Length == 0 || message.StartsWith(field, StringComparison.Ordinal) ? $"  - {message}" : $"  - {field}: {message}");
            }
        }
    }

    /// <summary>Checks <c>--page</c>/<c>--limit</c> against the API's bounds (<see cref="PageRequest"/>: page ≥ 1, limit 1-100).</summary>
    public static void CheckPaging(int page, int limit)
    {
        if (!PageRequest.IsValidPage(page))
        {
            throw AdminException.Invalid($"--page must be 1 or more (got {page})");
        }

        if (!PageRequest.IsValidLimit(limit))
        {
            throw AdminException.Invalid($"--limit must be 1-{PageRequest.MaxLimit} (got {limit})");
        }
    }
}
