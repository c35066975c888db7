using Microsoft.Extensions.Options;
using Switchboard.Agents;
using Switchboard.Common;
using Switchboard.Configuration;
using Switchboard.Server.Control;

namespace Switchboard.Server.Telegram;

/// <summary>
/// The agent endpoint the bridge's calls run on (<c>telegram-&lt;bridge id&gt;</c> in the default team): the gateway's default
/// agent with <c>Realtime</c>'s model, voice, transcription and caps, taking WebSocket voice calls only. Being an endpoint of
/// its own makes the engine's limits apply unchanged: its max call, idle warning and timeout, and its daily budget, which
/// counts exactly this bridge's Telegram calls. Written at start-up (and rewritten when the configuration changed).
/// </summary>
internal sealed class BridgeEndpoint
{
    private readonly IEndpointStore _endpoints;
    private readonly ControlPlaneState _state;
    private readonly SwitchboardOptions _options;
    private readonly TimeProvider _time;
    private volatile AgentEndpoint? _endpoint;

    public BridgeEndpoint(IEndpointStore endpoints, ControlPlaneState state, IOptions<SwitchboardOptions> options, TimeProvider time)
    {
        _endpoints = endpoints;
        _state = state;
        _options = options.Value;
        _time = time;
    }

    /// <summary>The endpoint once <see cref="EnsureAsync"/> has run; null before.</summary>
    public AgentEndpoint? Current => _endpoint;

    /// <summary>Creates or updates the endpoint so its spec is what the configuration says.</summary>
    public async Task<AgentEndpoint> EnsureAsync(CancellationToken cancellationToken)
    {
        var teamId = _state.Bootstrap.DefaultTeam.Id;
        var name = _options.Realtime.EndpointName;
        var spec = Spec();
        var existing = await _endpoints.FindEndpointByNameAsync(teamId, name, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        if (existing is null)
        {
            var created = new AgentEndpoint { Id = Guid.NewGuid(), TeamId = teamId, Name = name, Spec = spec, CreatedAt = now, UpdatedAt = now };
            try
            {
                await _endpoints.CreateEndpointAsync(created, cancellationToken).ConfigureAwait(false);
                return _endpoint = created;
            }
            catch (StoreConflictException)
            {
                // Another node created it a moment ago.
                existing = await _endpoints.FindEndpointByNameAsync(teamId, name, cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"endpoint {name} conflicts but cannot be found");
            }
        }

        var updated = existing with { Spec = spec, UpdatedAt = now };
        await _endpoints.UpdateEndpointAsync(updated, cancellationToken).ConfigureAwait(false);
        return _endpoint = updated;
    }

    private AgentSpec Spec()
    {
        var realtime = _options.Realtime;
        var spec = AgentSpecDefaults.FromOptions(_options.Agent);
        return spec with
        {
            Model = string.IsNullOrWhiteSpace(realtime.Model) ? null : realtime.Model,
            Voice = string.IsNullOrWhiteSpace(realtime.Voice) ? spec.Voice : realtime.Voice,
            Instructions = string.IsNullOrWhiteSpace(realtime.Instructions) ? spec.Instructions : realtime.Instructions,
            Transcription = string.IsNullOrWhiteSpace(realtime.TranscriptionModel) ? spec.Transcription : spec.Transcription with { Model = realtime.TranscriptionModel },
            Carriers = [Transports.WebSocket],
            Modes = [InteractionModes.VoiceConversation],
            Limits = new LimitsSpec
            {
                MaxCallSeconds = realtime.MaxCallSeconds,
                MaxDailyCallSeconds = realtime.MaxDailyCallSeconds,
                IdleWarningSeconds = realtime.IdleWarningSeconds,
                IdleTimeoutSeconds = realtime.IdleTimeoutSeconds,
                MaxConcurrentCalls = 1,
                SessionTtlSeconds = realtime.MaxCallSeconds + 120,
            },
        };
    }
}
