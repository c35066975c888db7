using System.Data.Common;
using Microsoft.Extensions.Configuration;
using Switchboard.Configuration;
using Switchboard.Control;
using Switchboard.Network;
using Switchboard.Server.Hosting;
using Switchboard.Storage;

namespace Switchboard.Cli.Admin;

/// <summary>
/// Opens the gateway's own database the way <c>switchboard serve</c> would find it: the same configuration
/// sources and validation messages, then the same first-run bootstrap (migrations, the default team and endpoint).
/// </summary>
internal static class LocalStorage
{
    /// <summary>The hint printed when this command created the default team: the database had never been used.</summary>
    public const string FirstKeyHint = "Create your first key: switchboard keys create --name admin --scopes ADMIN";

    /// <param name="configFile">The <c>--config</c> file, or null for <c>SWITCHBOARD_CONFIG</c> or none.</param>
    /// <param name="teamName">The team to act for; null for the default team.</param>
    /// <param name="allTeams">Whether call listings cover every team.</param>
    /// <param name="stderr">Where first-run notes go (stdout stays parseable).</param>
    /// <param name="firstRunHint">Whether to suggest creating the first key when this run created the default team.</param>
    /// <param name="cancellationToken">Cancels opening.</param>
    public static async Task<LocalAdminClient> OpenAsync(string? configFile, string? teamName, bool allTeams, TextWriter stderr, bool firstRunHint, CancellationToken cancellationToken)
    {
        var options = ReadOptions(configFile);
        SqlStore store;
        try
        {
            store = StoreFactory.Create(options.Storage);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw AdminException.Unavailable($"storage unavailable: cannot use {options.Storage.SqlitePath}: {ex.Message}", ex);
        }
        catch (ArgumentException ex)
        {
            // Npgsql rejects a malformed connection string when the data source is built.
            throw AdminException.Invalid($"Switchboard:Storage:PostgresConnectionString is not a valid connection string: {ex.Message}");
        }

        try
        {
            BootstrapResult bootstrap;
            try
            {
                bootstrap = await ControlPlaneBootstrap.RunAsync(store, options.Agent, TimeProvider.System, followConfiguration: false, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsStorageFailure(ex))
            {
                var health = await store.PingAsync(cancellationToken).ConfigureAwait(false);
                throw AdminException.Unavailable($"storage unavailable: {(health.Ok ? ex.Message : health.Detail)}", ex);
            }

            if (bootstrap.CreatedTeam)
            {
                await stderr.WriteLineAsync($"Created team '{bootstrap.DefaultTeam.Name}'." + (firstRunHint ? " " + FirstKeyHint : "")).ConfigureAwait(false);
            }

            var team = bootstrap.DefaultTeam;
            if (teamName is not null)
            {
                team = await store.FindTeamByNameAsync(teamName, cancellationToken).ConfigureAwait(false) ?? throw await UnknownTeamAsync(store, teamName, cancellationToken).ConfigureAwait(false);
            }

            return new LocalAdminClient(store, team, bootstrap.DefaultTeam, TimeProvider.System, allTeams, OutboundPolicy.From(options));
        }
        catch
        {
            if (store is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>Exceptions that mean the database cannot be used (as opposed to bugs): mapped to exit code 3.</summary>
    public static bool IsStorageFailure(Exception ex) =>
        ex is DbException or IOException or TimeoutException or System.Net.Sockets.SocketException or UnauthorizedAccessException
        || (ex is InvalidOperationException && ex.InnerException is not null && IsStorageFailure(ex.InnerException));

    /// <summary>Reads and validates <c>Switchboard</c> as the gateway would; configuration mistakes are usage errors (exit 2).</summary>
    internal static SwitchboardOptions ReadOptions(string? configFile)
    {
        IConfigurationRoot configuration;
        try
        {
            configuration = GatewayConfiguration.BuildStandalone(configFile);
        }
        catch (FileNotFoundException ex)
        {
            throw AdminException.Invalid($"configuration file not found: {ex.FileName ?? configFile}");
        }
        catch (InvalidDataException ex)
        {
            throw AdminException.Invalid($"cannot read the configuration: {ex.Message}{(ex.InnerException is null ? "" : " " + ex.InnerException.Message)}");
        }

        SwitchboardOptions options;
        try
        {
            options = configuration.GetSection(SwitchboardOptions.SectionName).Get<SwitchboardOptions>() ?? new SwitchboardOptions();
        }
        catch (InvalidOperationException ex)
        {
            throw AdminException.Invalid($"invalid configuration: {ex.Message}");
        }

        var errors = SwitchboardOptionsValidator.CollectStorage(options).ToList();
        if (errors.Count > 0)
        {
            throw new AdminException(
                AdminErrorKind.Invalid,
                "Switchboard cannot open its database; fix the configuration:",
                errors: new Dictionary<string, string[]> { [""] = [.. errors] });
        }

        return options;
    }

    private static async Task<AdminException> UnknownTeamAsync(ITeamStore store, string name, CancellationToken cancellationToken)
    {
        var teams = await store.ListTeamsAsync(cancellationToken).ConfigureAwait(false);
        return AdminException.NotFound($"no team named '{name}' (teams: {string.Join(", ", teams.Select(t => t.Name))}; create one with: switchboard teams create {name})");
    }
}
