using Switchboard.Agents;

namespace Switchboard.Server.Api;

/// <summary>How a client can talk to an endpoint: its interaction modes, transport URLs, flows and browser actions.</summary>
internal sealed record RuntimeResponse(
    Guid EndpointId,
    string Name,
    IReadOnlyList<RuntimeMode> InteractionModes,
    IReadOnlyList<RuntimeTransport> Transports,
    IReadOnlyList<RuntimeFlow> Flows,
    IReadOnlyList<BrowserActionSpec> BrowserActions);
