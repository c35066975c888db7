namespace Switchboard.Server.Api;

/// <summary>Optional body of <c>POST /api/v1/calls/{id}/hangup</c>.</summary>
internal sealed record HangupRequest
{
    /// <summary>Why the call is hung up, kept as the journal's end detail (at most 200 characters; default "hung up by an operator").</summary>
    public string? Reason { get; init; }

    /// <summary>The goodbye the agent says before the call ends (at most 500 characters; default: a short goodbye in the agent's own words).</summary>
    public string? Say { get; init; }
}
