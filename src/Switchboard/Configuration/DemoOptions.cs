namespace Switchboard.Configuration;

/// <summary>The keyless demo sessions behind the talk page at <c>/</c> (section <c>Switchboard:Demo</c>).</summary>
public sealed record DemoOptions
{
    /// <summary>
    /// Lets anyone who can reach the gateway start sessions on the default team's default endpoint without an API
    /// key (<c>GET /demo/config</c>, <c>POST /demo/sessions</c>). Unset means "only while the gateway runs the local
    /// backend", which spends nothing; set it to <c>false</c> to turn the demo off there too, or <c>true</c> to offer it
    /// on a paid backend (then anyone reaching the gateway can talk to the default agent on your account).
    /// </summary>
    public bool? Enabled { get; init; }
}
