using Switchboard.Configuration;
using Switchboard.Journal;

namespace Switchboard.Agents;

/// <summary>
/// Where a call's hot hand-offs are POSTed: the endpoint's <c>handoff</c>, else the gateway's <c>Switchboard:Handoff</c>.
/// Fixed when the call starts (written into its <c>CallStarted</c>), so a hand-off queued before an edit still reaches the
/// target the call began with. The token travels by reference (<see cref="GatewayToken"/> or <c>secret:&lt;name&gt;</c>) and is
/// looked up only when the request is sent, so the journal and the outbox never hold it.
/// </summary>
internal static class HandoffTarget
{
    /// <summary>The reference to <c>Switchboard:Handoff:Token</c>.</summary>
    public const string GatewayToken = "gateway";

    /// <summary>The prefix of a reference to <c>Switchboard:Tools:Secrets:&lt;name&gt;</c>.</summary>
    public const string SecretPrefix = "secret:";

    /// <summary>Adds the call's hand-off target to its <c>CallStarted</c> data, when it has one.</summary>
    public static void AddTo(IDictionary<string, string> startedData, AgentSpec spec, HandoffOptions gateway)
    {
        if (spec.Handoff is { } own)
        {
            startedData[CallEventKeys.HandoffUrl] = own.Url;
            if (own.Secret is { } secret)
            {
                startedData[CallEventKeys.HandoffAuth] = SecretPrefix + secret;
            }
        }
        else if (!string.IsNullOrWhiteSpace(gateway.Url))
        {
            startedData[CallEventKeys.HandoffUrl] = gateway.Url;
            if (!string.IsNullOrEmpty(gateway.Token))
            {
                startedData[CallEventKeys.HandoffAuth] = GatewayToken;
            }
        }
    }

    /// <summary>The bearer token a reference names, or null when it names nothing configured.</summary>
    public static string? ResolveToken(string reference, SwitchboardOptions options) => reference switch
    {
        GatewayToken => string.IsNullOrEmpty(options.Handoff.Token) ? null : options.Handoff.Token,
        _ when reference.StartsWith(SecretPrefix, StringComparison.Ordinal) =>
            options.Tools.Secrets.TryGetValue(reference[SecretPrefix.Length..], out var value) && !string.IsNullOrEmpty(value) ? value : null,
        _ => null,
    };
}
