namespace Switchboard.Control;

/// <summary>What an API key may do. <see cref="Admin"/> implies every other scope.</summary>
[Flags]
internal enum ApiScopes
{
    None = 0,

    /// <summary>Read the team's endpoints (agents) and runtime capabilities.</summary>
    ReadTeamApps = 1,

    /// <summary>Create session tokens and read runtime capabilities.</summary>
    CreateCallToken = 2,

    /// <summary>Create, update and delete endpoints.</summary>
    ManageEndpoints = 4,

    /// <summary>Read calls and their transcripts.</summary>
    ReadCalls = 8,

    /// <summary>Everything, including managing API keys.</summary>
    Admin = 16,

    /// <summary>See the team's live calls and hang them up (<c>POST /api/v1/calls/{id}/hangup</c>).</summary>
    ManageCalls = 32,

    All = ReadTeamApps | CreateCallToken | ManageEndpoints | ReadCalls | ManageCalls | Admin,
}
