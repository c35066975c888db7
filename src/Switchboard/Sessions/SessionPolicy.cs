using Switchboard.Agents;

namespace Switchboard.Sessions;

/// <summary>
/// What an endpoint's spec allows a session to do, checked when the session is created and again when a client
/// connects (the endpoint may have been edited in between).
/// </summary>
internal static class SessionPolicy
{
    /// <summary>The entry point every endpoint has, declared or not.</summary>
    public const string DefaultFlow = "default";

    public static SessionModeDecision CheckMode(AgentSpec spec, string mode)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (!InteractionModes.IsKnown(mode))
        {
            return SessionModeDecision.Unknown;
        }

        if (!(spec.Modes ?? []).Contains(mode, StringComparer.Ordinal))
        {
            return SessionModeDecision.NotAllowedByEndpoint;
        }

        return InteractionModes.Implemented.Contains(mode, StringComparer.Ordinal) ? SessionModeDecision.Allowed : SessionModeDecision.NotImplemented;
    }

    /// <summary>Whether the endpoint accepts callers over the session WebSocket.</summary>
    public static bool AllowsWebSocket(AgentSpec spec) =>
        (spec?.Carriers ?? []).Contains(Transports.WebSocket, StringComparer.Ordinal);

    /// <summary>
    /// Resolves a requested flow: null or <c>default</c> (when the endpoint declares no flow of that name) mean the
    /// endpoint's own entry point; any other name must be declared. False for an unknown flow.
    /// </summary>
    public static bool TryResolveFlow(AgentSpec spec, string? name, out FlowSpec? flow)
    {
        ArgumentNullException.ThrowIfNull(spec);
        flow = null;
        if (name is null)
        {
            return true;
        }

        flow = (spec.Flows ?? []).FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.Ordinal));
        return flow is not null || name == DefaultFlow;
    }

    /// <summary>The session's instructions: the endpoint's, followed by the flow's when it adds any.</summary>
    public static string Instructions(AgentSpec spec, FlowSpec? flow)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var own = spec.Instructions ?? "";
        return string.IsNullOrWhiteSpace(flow?.Instructions) ? own : own + "\n\n" + flow.Instructions;
    }

    /// <summary>The first agent message: the flow's greeting when it has one, else the endpoint's; null for none.</summary>
    public static string? Greeting(AgentSpec spec, FlowSpec? flow)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var greeting = string.IsNullOrWhiteSpace(flow?.Greeting) ? spec.Greeting : flow.Greeting;
        return string.IsNullOrWhiteSpace(greeting) ? null : greeting;
    }

    /// <summary>
    /// Whether the gateway's backend (<paramref name="backendKind"/>: <c>openai</c>, <c>azure</c>, <c>local</c>) serves
    /// an endpoint that names <paramref name="specBackend"/>; <c>default</c> takes whatever the gateway runs.
    /// </summary>
    public static bool BackendMatches(string? specBackend, string backendKind) =>
        string.IsNullOrEmpty(specBackend) || specBackend == "default" || string.Equals(specBackend, backendKind, StringComparison.Ordinal);
}
