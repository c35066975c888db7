using Switchboard.Backends.OpenAIRealtime;

namespace Switchboard.Calls;

/// <summary>
/// A caller leg whose media the backend holds (the OpenAI and Azure SIP connector): the caller and the agent talk over
/// the backend's own SIP media and no audio passes through the gateway, which is only the call's control plane. Such a
/// leg answers the call itself with the agent's session, and the agent leg it names (the call's sideband) carries the
/// call: the agent still speaks and hears the caller, but barge-in and playout happen at the backend, and the agent leg
/// closing is the end of the call.
/// </summary>
internal interface IRemoteMediaLeg : ICallerLeg
{
    /// <summary>
    /// Answers the call with <paramref name="session"/> (the connector's <c>accept</c>; formats are left to the SIP
    /// negotiation and an empty <see cref="RealtimeSessionSettings.Model"/> means the leg's default) and names the agent
    /// leg to attach to. Called once, after admission and before the agent leg connects.
    /// </summary>
    Task<RemoteAnswer> AnswerAsync(RealtimeSessionSettings session, CancellationToken cancellationToken);
}
