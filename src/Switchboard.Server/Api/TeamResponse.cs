using Switchboard.Control;

namespace Switchboard.Server.Api;

/// <summary>The caller's team, the key that made the request, and the team's caps and budgets.</summary>
/// <param name="Id">The team's id.</param>
/// <param name="Name">The team's name.</param>
/// <param name="Key">The key that made the request.</param>
/// <param name="Limits">The team's caps and budgets, enforced together with each endpoint's (the tighter wins); 0 means none from the team, a null <c>timeZone</c> UTC days.</param>
internal sealed record TeamResponse(Guid Id, string Name, TeamKeyInfo Key, TeamLimits Limits);
