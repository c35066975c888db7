using System.Text.Json.Nodes;
using Switchboard.Common;
using Switchboard.Network;

namespace Switchboard.Agents;

/// <summary>
/// The rules for a team's agent endpoints, in one place for the REST API (<c>/api/v1/endpoints</c>) and the CLI's
/// local mode (<c>switchboard endpoints</c>), so neither can do what the other refuses:
/// (1) a body is read strictly and validated, every problem at once (<see cref="EndpointBody"/>);
/// (2) names are unique in the team and phone numbers across the gateway (the store refuses a duplicate);
/// (3) the team's default endpoint cannot be deleted or stop being the default: another endpoint takes the flag;
/// (4) another team's endpoint looks exactly like a missing one.
/// Refusals are values (<see cref="AdminResult{T}"/>); only a storage failure throws.
/// </summary>
internal sealed class EndpointAdmin
{
    private readonly IEndpointStore _store;
    private readonly TimeProvider _time;
    private readonly OutboundPolicy _outbound;

    /// <param name="store">The endpoints.</param>
    /// <param name="time">The clock for timestamps.</param>
    /// <param name="outbound">The policy HTTP tool and remote configuration URLs must pass; <see cref="OutboundPolicy.Strict"/> when null.</param>
    public EndpointAdmin(IEndpointStore store, TimeProvider time, OutboundPolicy? outbound = null)
    {
        _store = store;
        _time = time;
        _outbound = outbound ?? OutboundPolicy.Strict;
    }

    /// <summary>One page of the team's endpoints, oldest first.</summary>
    public Task<Page<AgentEndpoint>> ListAsync(Guid teamId, PageRequest page, CancellationToken cancellationToken) =>
        _store.ListEndpointsAsync(teamId, page.Offset, page.Limit, cancellationToken);

    /// <summary>The team's endpoint with this id; null for a malformed or unknown id, or another team's.</summary>
    public async Task<AgentEndpoint?> GetAsync(Guid teamId, string id, CancellationToken cancellationToken) =>
        Guid.TryParse(id, out var endpointId) ? await _store.GetEndpointAsync(teamId, endpointId, cancellationToken).ConfigureAwait(false) : null;

    /// <summary>The team's endpoint with this id, or else with this name; null when there is none.</summary>
    public async Task<AgentEndpoint?> FindAsync(Guid teamId, string idOrName, CancellationToken cancellationToken) =>
        await GetAsync(teamId, idOrName, cancellationToken).ConfigureAwait(false)
        ?? await _store.FindEndpointByNameAsync(teamId, idOrName, cancellationToken).ConfigureAwait(false);

    /// <summary>Creates an endpoint from a body: <c>name</c>, optional <c>isDefault</c> (taking the flag from the current default), spec fields.</summary>
    public async Task<AdminResult<AgentEndpoint>> CreateAsync(Guid teamId, JsonObject body, CancellationToken cancellationToken)
    {
        if (!EndpointBody.Read(body, existing: null, merge: false, _outbound).Succeeded(out var write, out var invalid))
        {
            return invalid;
        }

        var now = StoreClock.Now(_time);
        var endpoint = new AgentEndpoint
        {
            Id = Guid.NewGuid(),
            TeamId = teamId,
            Name = write.Name,
            IsDefault = write.IsDefault,
            Spec = write.Spec,
            CreatedAt = now,
            UpdatedAt = now,
        };
        try
        {
            await _store.CreateEndpointAsync(endpoint, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreConflictException ex)
        {
            return AdminError.Conflict(ex.Message);
        }

        return endpoint;
    }

    /// <summary>
    /// Changes <paramref name="existing"/>: with <paramref name="merge"/> (PATCH) the fields present replace the stored
    /// ones; otherwise (PUT) the body replaces the endpoint and missing spec fields take their defaults. An omitted
    /// <c>isDefault</c> keeps the flag.
    /// </summary>
    public async Task<AdminResult<AgentEndpoint>> UpdateAsync(AgentEndpoint existing, JsonObject body, bool merge, CancellationToken cancellationToken)
    {
        if (!EndpointBody.Read(body, existing, merge, _outbound).Succeeded(out var write, out var invalid))
        {
            return invalid;
        }

        if (existing.IsDefault && !write.IsDefault)
        {
            return new AdminError(AdminStatus.DefaultEndpoint, "this is the team's default endpoint; make another endpoint the default instead of setting isDefault to false");
        }

        var updated = existing with { Name = write.Name, IsDefault = write.IsDefault, Spec = write.Spec, UpdatedAt = StoreClock.Now(_time) };
        try
        {
            return await _store.UpdateEndpointAsync(updated, cancellationToken).ConfigureAwait(false) ? updated : NotFound();
        }
        catch (StoreConflictException ex)
        {
            return AdminError.Conflict(ex.Message);
        }
    }

    /// <summary>Deletes <paramref name="existing"/> and returns it; the team's default endpoint is refused.</summary>
    public async Task<AdminResult<AgentEndpoint>> DeleteAsync(AgentEndpoint existing, CancellationToken cancellationToken)
    {
        if (existing.IsDefault)
        {
            return new AdminError(AdminStatus.DefaultEndpoint, "the team's default endpoint cannot be deleted; make another endpoint the default first");
        }

        return await _store.DeleteEndpointAsync(existing.TeamId, existing.Id, cancellationToken).ConfigureAwait(false) ? existing : NotFound();
    }

    /// <summary>The refusal for an endpoint that is not the team's (or no longer exists).</summary>
    public static AdminError NotFound() => AdminError.NotFound("no such endpoint");
}
