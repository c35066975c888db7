using Switchboard.Control;

namespace Switchboard.Server.Control;

/// <summary>What start-up found or created: the default team and endpoint (set once the store is ready).</summary>
internal sealed class ControlPlaneState
{
    private BootstrapResult? _bootstrap;

    /// <summary>The start-up result; throws before start-up has run (a programming error).</summary>
    public BootstrapResult Bootstrap => _bootstrap ?? throw new InvalidOperationException("the control plane has not started");

    public bool IsReady => _bootstrap is not null;

    internal void Set(BootstrapResult result) => _bootstrap = result;
}
