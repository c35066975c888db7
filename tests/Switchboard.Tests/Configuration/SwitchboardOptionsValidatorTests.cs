using Switchboard.Configuration;

namespace Switchboard.Tests.Configuration;

public class SwitchboardOptionsValidatorTests
{
    [Fact]
    public void Collect_Defaults_AreValid() => Assert.Empty(SwitchboardOptionsValidator.Collect(new SwitchboardOptions()));

    [Fact]
    public void Collect_ManyBadKeys_ReportsEveryOneNamingTheKey()
    {
        var options = new SwitchboardOptions
        {
            PublicBaseUrl = "ftp://nope",
            Backend = new BackendOptions { Kind = BackendKind.Azure },
            OpenAI = new OpenAIOptions { RealtimeUrl = "https://not-a-websocket" },
            Agent = new AgentOptions { AudioFormat = "mp3", VadThreshold = 2, TurnDetection = "magic" },
            Bridge = new BridgeOptions { MarkIntervalMs = 5, MaxCarrierMessageBytes = 10, UnknownCarrierEvents = "explode" },
        };

        var errors = SwitchboardOptionsValidator.Collect(options).ToList();

        foreach (var key in new[] { "PublicBaseUrl", "OpenAI:RealtimeUrl", "Azure:Endpoint", "Azure:ApiKey", "Azure:Deployment", "Agent:AudioFormat",
                     "Agent:VadThreshold", "Agent:TurnDetection", "Bridge:MarkIntervalMs", "Bridge:MaxCarrierMessageBytes", "Bridge:UnknownCarrierEvents" })
        {
            Assert.Contains(errors, e => e.Contains("Switchboard:" + key, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Collect_ReconnectSettings_AreChecked()
    {
        var options = new SwitchboardOptions
        {
            Backend = new BackendOptions
            {
                ReconnectBudgetSeconds = -1,
                ReconnectInitialBackoffMs = 5,
                ReconnectMaxBackoffMs = 1,
                MaxReconnectsPerCall = 0,
                KeepAliveSeconds = 0,
                KeepAliveTimeoutSeconds = 500,
                SessionMaxAgeMinutes = 0.5,
            },
        };

        var errors = SwitchboardOptionsValidator.Collect(options).ToList();

        foreach (var key in new[] { "ReconnectBudgetSeconds", "ReconnectInitialBackoffMs", "ReconnectMaxBackoffMs", "MaxReconnectsPerCall", "KeepAliveSeconds",
                     "KeepAliveTimeoutSeconds", "SessionMaxAgeMinutes" })
        {
            Assert.Contains(errors, e => e.Contains("Switchboard:Backend:" + key, StringComparison.Ordinal));
        }

        // Off is a valid choice for both.
        Assert.Empty(SwitchboardOptionsValidator.Collect(new SwitchboardOptions { Backend = new BackendOptions { ReconnectBudgetSeconds = 0, SessionMaxAgeMinutes = 0 } }));
    }

    [Fact]
    public void Collect_CarrierRestSettings_AreChecked()
    {
        var options = new SwitchboardOptions
        {
            Twilio = new TwilioOptions { AccountSid = "AC-not-a-sid", ApiBaseUrl = "ftp://api.twilio.com" },
            Telnyx = new TelnyxOptions { ApiBaseUrl = "https://user:pw@api.telnyx.com" },
        };

        var errors = SwitchboardOptionsValidator.Collect(options).ToList();

        foreach (var key in new[] { "Twilio:AccountSid must be AC", "Twilio:AccountSid is set but", "Twilio:ApiBaseUrl", "Telnyx:ApiBaseUrl" })
        {
            Assert.Contains(errors, e => e.Contains("Switchboard:" + key, StringComparison.Ordinal));
        }

        Assert.DoesNotContain(errors, e => e.Contains("pw", StringComparison.Ordinal) && !e.Contains("ApiBaseUrl", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(-1, true)]
    [InlineData(65, true)]
    [InlineData(0, false)]
    [InlineData(4, false)]
    [InlineData(null, false)]
    public void Collect_IoQueueCount_OutOfRange_NamesTheKey(int? queues, bool rejected)
    {
        var errors = SwitchboardOptionsValidator.Collect(new SwitchboardOptions { Performance = new PerformanceOptions { IoQueueCount = queues } });
        Assert.Equal(rejected, errors.Any(e => e.Contains("Switchboard:Performance:IoQueueCount", StringComparison.Ordinal)));
    }

    [Fact]
    public void Collect_OpenAIWithoutKey_ReportsTheEnvironmentVariable()
    {
        var errors = SwitchboardOptionsValidator.Collect(new SwitchboardOptions { Backend = new BackendOptions { Kind = BackendKind.OpenAI } });
        Assert.Contains(errors, e => e.Contains("OPENAI_API_KEY", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null, null, null, BackendKind.Local)]
    [InlineData("sk-1", null, null, BackendKind.OpenAI)]
    [InlineData(null, "https://r.openai.azure.com", "k", BackendKind.Azure)]
    [InlineData(null, "https://r.openai.azure.com", null, BackendKind.Local)]
    public void EffectiveBackend_Auto_PicksByKeysPresent(string? openAiKey, string? azureEndpoint, string? azureKey, BackendKind expected)
    {
        var options = new SwitchboardOptions
        {
            OpenAI = new OpenAIOptions { ApiKey = openAiKey },
            Azure = new AzureOpenAIOptions { Endpoint = azureEndpoint, ApiKey = azureKey },
        };
        Assert.Equal(expected, EffectiveBackend.Resolve(options));
    }
}
