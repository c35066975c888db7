namespace Switchboard.Server.Api;

/// <summary>The team's API keys, revoked ones included, oldest first.</summary>
internal sealed record KeyListResponse(IReadOnlyList<KeyResponse> Keys);
