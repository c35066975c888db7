using Switchboard.Agents;
using Switchboard.Common;
using Switchboard.Configuration;

namespace Switchboard.Control;

/// <summary>
/// First-run set-up, run at every start: migrate the schema, make sure the default team exists and has a
/// default endpoint built from <c>Switchboard:Agent</c>. While nobody has edited that endpoint through the
/// API or CLI it keeps following the configuration; once edited, the stored version wins.
/// </summary>
internal static class ControlPlaneBootstrap
{
    /// <summary>The name of the team created on first run.</summary>
    public const string DefaultTeamName = "default";

    public const string DefaultEndpointName = "default";

    private const string DefaultTeamSetting = "default_team_id";
    private const string SyncedSpecSetting = "default_endpoint_synced_spec";

    /// <summary>The gateway's start-up: also brings an untouched default endpoint in line with the configuration.</summary>
    public static Task<BootstrapResult> RunAsync(IControlPlaneStore store, AgentOptions agent, TimeProvider time, CancellationToken cancellationToken) =>
        RunAsync(store, agent, time, followConfiguration: true, cancellationToken);

    /// <summary>Migrates and makes sure the default team and endpoint exist.</summary>
    /// <param name="store">The store to migrate and seed.</param>
    /// <param name="agent">The configured default agent (the default endpoint's spec on first run).</param>
    /// <param name="time">The clock.</param>
    /// <param name="followConfiguration">
    /// Whether an untouched default endpoint is brought in line with <paramref name="agent"/>. The gateway does this at
    /// every start; the admin CLI passes false because its shell may not carry the gateway's environment
    /// (<c>OPENAI_VOICE</c>, …) and must not rewrite the endpoint a running gateway serves.
    /// </param>
    /// <param name="cancellationToken">Cancels the start-up.</param>
    public static async Task<BootstrapResult> RunAsync(IControlPlaneStore store, AgentOptions agent, TimeProvider time, bool followConfiguration, CancellationToken cancellationToken)
    {
        await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
        var createdTeam = false;
        var teamId = await store.GetSettingAsync(DefaultTeamSetting, cancellationToken).ConfigureAwait(false);
        var team = teamId is null ? null : await store.GetTeamAsync(Guid.Parse(teamId), cancellationToken).ConfigureAwait(false);
        if (team is null)
        {
            team = await store.FindTeamByNameAsync(DefaultTeamName, cancellationToken).ConfigureAwait(false);
            if (team is null)
            {
                try
                {
                    team = new Team(Guid.NewGuid(), DefaultTeamName, Now(time));
                    await store.CreateTeamAsync(team, cancellationToken).ConfigureAwait(false);
                    createdTeam = true;
                }
                catch (StoreConflictException)
                {
                    // Another node created it first.
                    team = await store.FindTeamByNameAsync(DefaultTeamName, cancellationToken).ConfigureAwait(false)
                        ?? throw new InvalidOperationException("the default team vanished during start-up");
                }
            }

            var stored = await store.SetSettingIfAbsentAsync(DefaultTeamSetting, team.Id.ToString("D"), cancellationToken).ConfigureAwait(false);
            team = await store.GetTeamAsync(Guid.Parse(stored), cancellationToken).ConfigureAwait(false) ?? team;
        }

        var fromConfig = AgentSpecDefaults.FromOptions(agent);
        var configJson = AgentSpecJson.Serialize(fromConfig);
        var endpoint = await store.GetDefaultEndpointAsync(team.Id, cancellationToken).ConfigureAwait(false);
        if (endpoint is null)
        {
            var now = Now(time);
            var candidate = new AgentEndpoint
            {
                Id = Guid.NewGuid(),
                TeamId = team.Id,
                Name = await FreeNameAsync(store, team.Id, cancellationToken).ConfigureAwait(false),
                IsDefault = true,
                Spec = fromConfig,
                CreatedAt = now,
                UpdatedAt = now,
            };

            // The marker goes first: a crash between the two writes must not leave an endpoint that never follows the configuration.
            await store.SetSettingAsync(SyncedSpecSetting + ":" + candidate.Id, configJson, cancellationToken).ConfigureAwait(false);
            bool created;
            try
            {
                created = await store.CreateDefaultEndpointIfNoneAsync(candidate, cancellationToken).ConfigureAwait(false);
            }
            catch (StoreConflictException)
            {
                // Another node took the free name a moment before us (and so made the default).
                created = false;
            }

            endpoint = created
                ? candidate
                : await store.GetDefaultEndpointAsync(team.Id, cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException("the default endpoint could not be created");
        }
        else if (followConfiguration)
        {
            var marker = SyncedSpecSetting + ":" + endpoint.Id;
            var synced = await store.GetSettingAsync(marker, cancellationToken).ConfigureAwait(false);
            if (synced is not null && synced == AgentSpecJson.Serialize(endpoint.Spec) && synced != configJson)
            {
                // Untouched since the last start: follow the configuration.
                endpoint = endpoint with { Spec = fromConfig, UpdatedAt = Now(time) };
                await store.UpdateEndpointAsync(endpoint, cancellationToken).ConfigureAwait(false);
                await store.SetSettingAsync(marker, configJson, cancellationToken).ConfigureAwait(false);
            }
        }

        return new BootstrapResult(team, endpoint, createdTeam);
    }

    /// <summary>The current time at the store's precision (milliseconds), so the returned records equal the stored ones.</summary>
    private static DateTimeOffset Now(TimeProvider time) => DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds());

    private static async Task<string> FreeNameAsync(IEndpointStore store, Guid teamId, CancellationToken cancellationToken)
    {
        var name = DefaultEndpointName;
        for (var i = 2; await store.FindEndpointByNameAsync(teamId, name, cancellationToken).ConfigureAwait(false) is not null; i++)
        {
            name = DefaultEndpointName + "-" + i;
        }

        return name;
    }
}

/// <summary>What start-up found or created.</summary>
internal sealed record BootstrapResult(Team DefaultTeam, AgentEndpoint DefaultEndpoint, bool CreatedTeam);
