using Switchboard.Agents;

namespace Switchboard.Calls;

/// <summary>Finds the endpoint a call asks for; the first step of <see cref="CallAdmission"/>.</summary>
internal interface IAgentResolver
{
    /// <summary>
    /// A call that names its endpoint and team (a session's) gets exactly that endpoint. Otherwise, in order: an
    /// <c>endpointId</c> parameter (Twilio <c>&lt;Parameter&gt;</c>, Telnyx <c>client_state</c> field), then the
    /// dialled number (<c>To</c>) mapped to an endpoint, then the default team's default endpoint.
    /// </summary>
    Task<AgentResolution> ResolveAsync(string channel, CallStartInfo start, CancellationToken cancellationToken);
}
