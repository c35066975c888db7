namespace Switchboard.Common;

/// <summary>
/// Whether the database answered, and a short description (never the connection string's secrets). When it is not usable,
/// <see cref="Check"/> names the failing check: <c>missing</c>, <c>replaced</c>, <c>read-only</c>, <c>disk full</c> or
/// <c>unreachable</c>.
/// </summary>
internal sealed record StoreHealth(bool Ok, string Provider, string Detail, string? Check = null);
