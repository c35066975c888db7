using Switchboard.Agents;
using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Control;

namespace Switchboard.Sessions;

/// <summary>An admitted connection: the stored session, its endpoint as it is now, the flow it starts at, and the backend to use.</summary>
internal sealed record SessionStart(SessionRecord Session, AgentEndpoint Endpoint, FlowSpec? Flow, RealtimeEndpoint Backend);
