namespace Switchboard.Agents;

/// <summary>Whether an endpoint can run a session in a given mode, and if not, why.</summary>
internal enum SessionModeDecision
{
    Allowed,

    /// <summary>Not one of <see cref="Agents.InteractionModes.All"/>.</summary>
    Unknown,

    /// <summary>Known, but the endpoint's <c>modes</c> do not include it.</summary>
    NotAllowedByEndpoint,

    /// <summary>Allowed by the endpoint but not implemented by this gateway yet.</summary>
    NotImplemented,
}
