using Switchboard.Backends.OpenAIRealtime;

namespace Switchboard.Calls;

/// <summary>
/// How a <see cref="IRemoteMediaLeg"/> answered its call: the outcome of the answer (<see cref="CallControlStatus.AlreadyEnded"/>
/// when the caller hung up first) and, when it succeeded, the agent leg that carries the call (with the model it runs).
/// </summary>
internal sealed record RemoteAnswer(CallControlResult Result, RealtimeEndpoint? AgentLeg);
