namespace Switchboard.Backends.OpenAIRealtime;

/// <summary>Where and how the agent leg connects. <see cref="Describe"/> is safe to log (no secrets).</summary>
internal sealed record RealtimeEndpoint(Uri Url, IReadOnlyList<KeyValuePair<string, string>> Headers, string Kind)
{
    /// <summary>The model (OpenAI, local) or deployment (Azure) named in the URL, repeated in <c>session.update</c>.</summary>
    public string Model { get; init; } = "";

    public string Describe() => $"{Kind} {Url.GetLeftPart(UriPartial.Path)}";

    /// <summary>OpenAI GA: <c>{url}?model=…</c> with a Bearer key and no beta header.</summary>
    public static RealtimeEndpoint ForOpenAI(string realtimeUrl, string model, string apiKey) =>
        new(WithQuery(realtimeUrl, "model", model), [new("Authorization", "Bearer " + apiKey)], "openai") { Model = model };

    /// <summary>Azure OpenAI GA: <c>wss://{resource}/openai/v1/realtime?model={deployment}</c> with the <c>api-key</c> header.</summary>
    public static RealtimeEndpoint ForAzure(string endpoint, string deployment, string apiKey)
    {
        var baseUri = new Uri(endpoint.TrimEnd('/'));
        var scheme = baseUri.Scheme == "http" ? "ws" : "wss";
        var url = $"{scheme}://{baseUri.Authority}/openai/v1/realtime";
        return new(WithQuery(url, "model", deployment), [new("api-key", apiKey)], "azure") { Model = deployment };
    }

    /// <summary>The in-process local backend, reached over a real loopback socket like any other backend.</summary>
    public static RealtimeEndpoint ForLocal(Uri url, string apiKey, string model) =>
        new(WithQuery(url.ToString(), "model", model), [new("Authorization", "Bearer " + apiKey)], "local") { Model = model };

    /// <summary>
    /// The same endpoint with another model (OpenAI) or deployment (Azure): an agent endpoint that names its own
    /// model replaces the gateway's <c>?model=</c>; every other query parameter is kept.
    /// </summary>
    public RealtimeEndpoint WithModel(string model)
    {
        var kept = Url.Query.TrimStart('?')
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(p => !p.StartsWith("model=", StringComparison.Ordinal) && p != "model");
        var query = string.Join('&', kept.Append("model=" + Uri.EscapeDataString(model)));
        return this with { Url = new Uri(Url.GetLeftPart(UriPartial.Path) + "?" + query), Model = model };
    }

    private static Uri WithQuery(string url, string name, string value)
    {
        var separator = url.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        return new Uri($"{url}{separator}{name}={Uri.EscapeDataString(value)}");
    }
}
