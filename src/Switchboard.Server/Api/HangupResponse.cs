namespace Switchboard.Server.Api;

/// <summary>The answer to a hang-up: the call is ending (after the agent's goodbye); its record says when it has.</summary>
/// <param name="Id">The call's id.</param>
/// <param name="Status">Always <c>ending</c>.</param>
/// <param name="EndReason">The end reason the call will be recorded with: <c>operator_hangup</c>.</param>
internal sealed record HangupResponse(string Id, string Status, string EndReason);
