namespace Switchboard.Server.Api;

/// <summary>
/// Endpoint metadata: the route reads a JSON body shaped like <see cref="Type"/>, for the OpenAPI document only.
/// With <see cref="Optional"/>, the request may leave the body out.
/// </summary>
/// <remarks>
/// <c>.Accepts&lt;T&gt;()</c> would also make routing refuse other content types with an empty 415 before the
/// API key is even checked; the handlers read the body themselves and answer with a problem instead.
/// </remarks>
internal sealed record JsonBodyMetadata(Type Type, bool Optional = false);
