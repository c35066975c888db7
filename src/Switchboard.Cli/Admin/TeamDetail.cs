using System.Text.Json.Serialization;
using Switchboard.Control;
using Switchboard.Server.Api;

namespace Switchboard.Cli.Admin;

/// <summary>
/// A team with its limits, as <c>teams show --json</c> prints it: the shape of <c>GET /api/v1/team</c>, whose <c>key</c>
/// (the key that asked) local mode has not got and leaves out.
/// </summary>
/// <param name="Id">The team's id.</param>
/// <param name="Name">The team's name.</param>
/// <param name="Key">Remote mode: the API key that made the request.</param>
/// <param name="Limits">The team's caps and budgets.</param>
internal sealed record TeamDetail(
    Guid Id,
    string Name,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] TeamKeyInfo? Key,
    TeamLimits Limits);
