using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Switchboard.Common;
using Switchboard.Transport;

namespace Switchboard.Control;

/// <summary>
/// The rules for a team's own settings, in one place for the REST API (<c>GET/PATCH /api/v1/team</c>) and the CLI's
/// local mode (<c>switchboard teams show|update</c>): (1) a body holds only <c>limits</c>, read strictly (an unknown or
/// mistyped field is an error naming it); (2) <c>limits</c> is merged field by field into the stored limits (a field
/// left out is kept, <c>null</c> resets it to none, or UTC for <c>timeZone</c>), unlike an endpoint's sections, because
/// a team has nothing else to send and a partial update must not wipe its budgets; (3) the result is checked by
/// <see cref="TeamLimits.Validate"/>, every problem at once. Refusals are values; only a storage failure throws.
/// </summary>
internal sealed class TeamAdmin
{
    /// <summary>Strict reading of the merged limits: a misspelt field is an error, not a silent 0.</summary>
    private static readonly ControlJsonContext Strict = new(new JsonSerializerOptions(ControlJsonContext.Default.Options)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    });

    private readonly ITeamStore _store;

    public TeamAdmin(ITeamStore store) => _store = store;

    /// <summary>The team; null when it no longer exists.</summary>
    public Task<Team?> GetAsync(Guid teamId, CancellationToken cancellationToken) => _store.GetTeamAsync(teamId, cancellationToken);

    /// <summary>Applies a <c>PATCH /api/v1/team</c> body (<c>{"limits": {…}}</c>) to <paramref name="existing"/> and stores the result.</summary>
    public async Task<AdminResult<Team>> UpdateAsync(Team existing, JsonObject body, CancellationToken cancellationToken)
    {
        if (!ReadLimits(existing.Limits, body).Succeeded(out var limits, out var invalid))
        {
            return invalid;
        }

        if (!await _store.SetTeamLimitsAsync(existing.Id, limits, cancellationToken).ConfigureAwait(false))
        {
            return NotFound();
        }

        return existing with { Limits = limits };
    }

    /// <summary>The limits a body asks for, merged into <paramref name="current"/> and validated.</summary>
    public static AdminResult<TeamLimits> ReadLimits(TeamLimits current, JsonObject body)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        JsonObject? patch = null;
        foreach (var (field, value) in body)
        {
            if (field != "limits")
            {
                errors[field] = [$"unknown field '{field}' (a team's body holds only 'limits')"];
            }
            else if (value is JsonObject given)
            {
                patch = given;
            }
            else
            {
                errors["limits"] = [$"limits must be an object (got {JsonErrorText.KindOf(value)})"];
            }
        }

        if (errors.Count == 0 && patch is null)
        {
            errors["limits"] = ["limits is required: the fields to change, e.g. {\"limits\": {\"maxConcurrentCalls\": 5}}"];
        }

        if (errors.Count > 0)
        {
            return AdminError.Invalid(errors);
        }

        var merged = JsonSerializer.SerializeToNode(current, ControlJsonContext.Default.TeamLimits)!.AsObject();
        foreach (var (field, value) in patch!)
        {
            if (value is null)
            {
                // null resets the field: no cap or budget from the team, UTC days.
                merged.Remove(field);
            }
            else
            {
                merged[field] = value.DeepClone();
            }
        }

        TeamLimits limits;
        try
        {
            limits = merged.Deserialize(Strict.TeamLimits) ?? TeamLimits.None;
        }
        catch (JsonException ex)
        {
            var (field, message) = JsonErrorText.Mapping(ex, Strict.TeamLimits);
            return field.Length == 0
                ? AdminError.Invalid("limits", "limits: " + message)
                : AdminError.Invalid("limits." + field, message.Replace($"'{field}'", $"'limits.{field}'", StringComparison.Ordinal));
        }

        foreach (var (field, problem) in limits.Validate())
        {
            errors["limits." + field] = ["limits." + problem];
        }

        return errors.Count > 0 ? AdminError.Invalid(errors) : limits;
    }

    /// <summary>The refusal for a team that no longer exists.</summary>
    public static AdminError NotFound() => AdminError.NotFound("the team no longer exists");
}
