using Switchboard.Control;

namespace Switchboard.Server.Api;

/// <summary>A new API key. <see cref="Key"/> is the plaintext, shown in this response only.</summary>
internal sealed record CreatedKeyResponse(Guid Id, string Name, string Prefix, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt, string Key)
{
    public static CreatedKeyResponse From(NewApiKey created) =>
        new(created.Key.Id, created.Key.Name, created.Key.Prefix, ApiScopeNames.ToNames(created.Key.Scopes), created.Key.CreatedAt, created.Plaintext);
}
