using Switchboard.Control;

namespace Switchboard.Server.Api;

/// <summary>Body of <c>PATCH /api/v1/team</c>: the team's limits to change.</summary>
/// <remarks>
/// Documents the body for the OpenAPI schema only: the body is parsed by <see cref="TeamAdmin"/>, which merges
/// <see cref="Limits"/> field by field into the stored limits and names every bad field.
/// </remarks>
internal sealed record TeamPatchRequest
{
    /// <summary>The fields to change; a field left out is kept, <c>null</c> resets it (no cap or budget, UTC days).</summary>
    public required TeamLimits Limits { get; init; }
}
