namespace Switchboard.Agents;

/// <summary>
/// What an endpoint's spec allows a call to do — which channels, session modes and flows — and what a flow makes of
/// its instructions and greeting. Checked when a session is created and again at admission (the endpoint may have been
/// edited in between).
/// </summary>
internal static class EndpointPolicy
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

    /// <summary>Whether the endpoint accepts callers over <paramref name="channel"/> (<c>twilio</c>, <c>telnyx</c>, <c>sip</c>, <c>websocket</c>).</summary>
    public static bool AllowsChannel(AgentSpec spec, string channel) =>
        (spec?.Carriers ?? []).Contains(channel, StringComparer.Ordinal);

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
}
