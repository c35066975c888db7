namespace Switchboard.Configuration;

/// <summary>The realtime backend behind the agent leg.</summary>
public enum BackendKind
{
    /// <summary>OpenAI when an OpenAI key is set, Azure when an Azure endpoint and key are set, otherwise the local backend.</summary>
    Auto,

    /// <summary>OpenAI Realtime (GA protocol).</summary>
    OpenAI,

    /// <summary>Azure OpenAI Realtime (GA protocol, <c>/openai/v1/realtime</c>).</summary>
    Azure,

    /// <summary>The built-in local test agent (echo or scripted), no account needed.</summary>
    Local,
}
