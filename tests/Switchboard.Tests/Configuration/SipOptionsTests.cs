using Switchboard.Configuration;

namespace Switchboard.Tests.Configuration;

public class SipOptionsTests
{
    [Fact]
    public void Defaults_AreValid_AndWithoutASecretNeedNoKey() => Assert.Empty(SwitchboardOptionsValidator.Collect(new SwitchboardOptions()));

    [Fact]
    public void Collect_EveryBadSipKey_ReportedAtOnceByName()
    {
        var options = new SwitchboardOptions
        {
            Sip = new SipOptions { Provider = "aws", ApiBaseUrl = "ftp://x", WebhookSecret = "whsec_***", MaxWebhookBytes = 10, DeduplicationHours = 0 },
        };

        var errors = SwitchboardOptionsValidator.Collect(options).ToList();

        Assert.Contains(errors, e => e.StartsWith("Switchboard:Sip:Provider", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Switchboard:Sip:ApiBaseUrl", StringComparison.Ordinal) && e.Contains("OPENAI_BASE_URL", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Switchboard:Sip:WebhookSecret", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Switchboard:Sip:MaxWebhookBytes", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Switchboard:Sip:DeduplicationHours", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("OPENAI_API_KEY", StringComparison.Ordinal));
    }

    [Fact]
    public void EffectiveProvider_AutoPicksAzureOnlyWithAzureCredentialsAndNoOpenAIKey()
    {
        var azure = new SwitchboardOptions { Azure = new AzureOpenAIOptions { Endpoint = "https://r.openai.azure.com", ApiKey = "k" } };
        Assert.Equal("azure", azure.Sip.EffectiveProvider(azure));

        var both = azure with { OpenAI = new OpenAIOptions { ApiKey = "sk" } };
        Assert.Equal("openai", both.Sip.EffectiveProvider(both));
        var forced = both with { Sip = new SipOptions { Provider = "azure" } };
        Assert.Equal("azure", forced.Sip.EffectiveProvider(forced));
        Assert.Equal("openai", new SwitchboardOptions().Sip.EffectiveProvider(new SwitchboardOptions()));
    }

    [Fact]
    public void RawSecret_IsAccepted() =>
        Assert.Empty(SwitchboardOptionsValidator.Collect(new SwitchboardOptions
        {
            OpenAI = new OpenAIOptions { ApiKey = "sk" },
            Sip = new SipOptions { WebhookSecret = "synthetic-webhook-secret" },
        }));
}
