namespace Switchboard.Calls;

/// <summary>What a caller leg can do; the bridge configures the agent and its tools from these.</summary>
[Flags]
internal enum CallerLegCapabilities
{
    None = 0,

    /// <summary>The caller's audio reaches the gateway (carrier media, a browser microphone): voice detection runs on it.</summary>
    CallerAudio = 1,

    /// <summary>The caller hears the agent's audio through this leg (else the agent answers in text).</summary>
    AgentAudio = 2,

    /// <summary>The caller can type turns (a browser session).</summary>
    TypedTurns = 4,

    /// <summary>The call can be transferred to a phone number (carrier REST).</summary>
    Transfer = 8,

    /// <summary>The page can run the endpoint's browser actions.</summary>
    BrowserActions = 16,

    /// <summary>Transcripts, states and errors are shown to the caller.</summary>
    ShowsText = 32,
}
