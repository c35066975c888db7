namespace Switchboard.Common;

/// <summary>Whether the database answered, and a short description (never the connection string's secrets).</summary>
internal sealed record StoreHealth(bool Ok, string Provider, string Detail);
