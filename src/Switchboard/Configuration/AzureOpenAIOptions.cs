namespace Switchboard.Configuration;

/// <summary>Azure OpenAI Realtime settings (section <c>Switchboard:Azure</c>; env <c>AZURE_OPENAI_ENDPOINT</c>, <c>AZURE_OPENAI_API_KEY</c>, <c>AZURE_OPENAI_DEPLOYMENT</c>).</summary>
public sealed record AzureOpenAIOptions
{
    /// <summary>Resource endpoint, e.g. <c>https://my-resource.openai.azure.com</c>.</summary>
    public string? Endpoint { get; init; }

    /// <summary>API key, sent in the <c>api-key</c> header. Never logged.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Deployment name, sent as <c>?model=</c>.</summary>
    public string? Deployment { get; init; }
}
