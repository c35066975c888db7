using Switchboard.Backends.OpenAIRealtime;

namespace Switchboard.Tests.Backends.OpenAIRealtime;

public class RealtimeEndpointTests
{
    [Fact]
    public void ForOpenAI_AddsModelAndBearerAndNoBetaHeader()
    {
        var e = RealtimeEndpoint.ForOpenAI("wss://api.openai.com/v1/realtime", "gpt-realtime", "sk-test");
        Assert.Equal("wss://api.openai.com/v1/realtime?model=gpt-realtime", e.Url.ToString());
        Assert.Contains(e.Headers, h => h.Key == "Authorization" && h.Value == "Bearer sk-test");
        Assert.DoesNotContain(e.Headers, h => h.Key.Equals("OpenAI-Beta", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void ForAzure_BuildsV1RealtimeUrlWithDeploymentAndApiKeyHeader()
    {
        var e = RealtimeEndpoint.ForAzure("https://my-res.openai.azure.com/", "my-deploy", "azkey");
        Assert.Equal("wss://my-res.openai.azure.com/openai/v1/realtime?model=my-deploy", e.Url.ToString());
        Assert.Equal([new KeyValuePair<string, string>("api-key", "azkey")], e.Headers);
    }

    [Fact]
    public void WithModel_ReplacesModelAndKeepsOtherQueryAndHeaders()
    {
        var e = RealtimeEndpoint.ForOpenAI("wss://proxy.example/v1/realtime?region=eu", "gpt-realtime", "sk-test").WithModel("gpt-realtime-mini");
        Assert.Equal("wss://proxy.example/v1/realtime?region=eu&model=gpt-realtime-mini", e.Url.ToString());
        Assert.Contains(e.Headers, h => h.Key == "Authorization" && h.Value == "Bearer sk-test");
        Assert.Equal("openai", e.Kind);
        Assert.Equal("gpt-realtime-mini", e.Model);
    }

    [Fact]
    public void Describe_NeverContainsTheKey()
    {
        var e = RealtimeEndpoint.ForOpenAI("wss://api.openai.com/v1/realtime", "gpt-realtime", "sk-secret");
        Assert.DoesNotContain("sk-secret", e.Describe(), StringComparison.Ordinal);
        Assert.DoesNotContain("model=", e.Describe(), StringComparison.Ordinal);
    }
}
