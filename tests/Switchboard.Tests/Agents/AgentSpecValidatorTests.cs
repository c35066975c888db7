using System.Text.Json;
using Switchboard.Agents;

namespace Switchboard.Tests.Agents;

public class AgentSpecValidatorTests
{
    private static readonly AgentSpec Valid = new();

    public static TheoryData<string, string> BrokenSpecs => new()
    {
        { "backend", """{"backend":"gpt"}""" },
        { "model", $$"""{"model":"{{new string('m', 101)}}"}""" },
        { "voice", """{"voice":" "}""" },
        { "voice", $$"""{"voice":"{{new string('v', 51)}}"}""" },
        { "instructions", $$"""{"instructions":"{{new string('i', 32_001)}}"}""" },
        { "greeting", $$"""{"greeting":"{{new string('g', 2_001)}}"}""" },
        { "audioFormat", """{"audioFormat":"mp3"}""" },
        { "privacy.callerNumber", """{"privacy":{"callerNumber":"first4"}}""" },
        { "privacy.calleeNumber", """{"privacy":{"calleeNumber":"hidden"}}""" },
        { "summary.instructions", $$$"""{"summary":{"enabled":true,"instructions":"{{{new string('s', 4_001)}}}"}}""" },
        { "turnDetection.type", """{"turnDetection":{"type":"magic"}}""" },
        { "turnDetection.threshold", """{"turnDetection":{"threshold":1.01}}""" },
        { "turnDetection.threshold", """{"turnDetection":{"threshold":-0.1}}""" },
        { "turnDetection.prefixPaddingMs", """{"turnDetection":{"prefixPaddingMs":5001}}""" },
        { "turnDetection.silenceDurationMs", """{"turnDetection":{"silenceDurationMs":-1}}""" },
        { "limits.maxCallSeconds", """{"limits":{"maxCallSeconds":86401}}""" },
        { "limits.sessionTtlSeconds", """{"limits":{"sessionTtlSeconds":59}}""" },
        { "tools", """{"tools":[{"name":"slow","timeoutSeconds":121}]}""" },
        { "tools", """{"tools":[{"name":"negative","timeoutSeconds":-1}]}""" },
        { "browserActions", """{"tools":[{"name":"show_message"}],"browserActions":[{"name":"show_message"}]}""" },
        { "tools", """{"tools":[{"name":"t","http":{"url":"ftp://crm.example.com/x"}}]}""" },
        { "remoteConfig.url", """{"remoteConfig":{"url":"file:///etc/passwd"}}""" },
        { "remoteConfig.secret", """{"remoteConfig":{"url":"https://app.example.com/c","secret":"has space"}}""" },
        { "remoteConfig.ttlSeconds", """{"remoteConfig":{"url":"https://app.example.com/c","ttlSeconds":-1}}""" },
        { "remoteConfig.timeoutMs", """{"remoteConfig":{"url":"https://app.example.com/c","timeoutMs":20000}}""" },
        { "tools", """{"tools":[{"name":"t","http":{"url":"/relative"}}]}""" },
        { "tools", """{"tools":[{"name":"t","http":{"url":"https://user:pw@crm.example.com/x"}}]}""" },
        { "tools", """{"tools":[{"name":"t","http":{"url":"https://crm.example.com/x","method":"DELETE"}}]}""" },
        { "tools", """{"tools":[{"name":"t","http":{"url":"https://crm.example.com/x","maxResponseBytes":0}}]}""" },
        { "tools", """{"tools":[{"name":"t","http":{"url":"https://crm.example.com/x","headers":[{"name":"Authorization","value":"Bearer abc"}]}}]}""" },
        { "tools", """{"tools":[{"name":"t","http":{"url":"https://crm.example.com/x","headers":[{"name":"X-Api-Key","value":"abc"}]}}]}""" },
        { "tools", """{"tools":[{"name":"t","http":{"url":"https://crm.example.com/x","headers":[{"name":"X-Env","value":"a","secret":"b"}]}}]}""" },
        { "tools", """{"tools":[{"name":"t","http":{"url":"https://crm.example.com/x","headers":[{"name":"X-Env"}]}}]}""" },
        { "tools", """{"tools":[{"name":"t","http":{"url":"https://crm.example.com/x","headers":[{"name":"Bad Name","value":"a"}]}}]}""" },
        { "tools", """{"tools":[{"name":"t","http":{"url":"https://crm.example.com/x","headers":[{"name":"Authorization","secret":"crm","format":"Bearer"}]}}]}""" },
        { "tools", """{"tools":[{"name":"t","http":{"url":"https://crm.example.com/x","headers":[{"name":"X-Env","value":"a\r\nInjected: 1"}]}}]}""" },
        { "carriers", """{"carriers":["twilio","smoke_signal"]}""" },
        { "modes", """{"modes":["text","telepathy"]}""" },
        { "phoneNumbers", """{"phoneNumbers":["15551230000"]}""" },
        { "phoneNumbers", """{"phoneNumbers":["+0551230000"]}""" },
        { "phoneNumbers", """{"phoneNumbers":["+1234567"]}""" },
        { "phoneNumbers", """{"phoneNumbers":["+1234567890123456"]}""" },
        { "tools", """{"tools":[{"name":"has space"}]}""" },
        { "tools", """{"tools":[{"name":"lookup"},{"name":"lookup"}]}""" },
        { "tools", """{"tools":[{"name":"lookup","parameters":["not","an","object"]}]}""" },
        { "browserActions", """{"browserActions":[{"name":""}]}""" },
        { "browserActions", """{"browserActions":[{"name":"show","parameters":"string"}]}""" },
        { "flows", """{"flows":[{"name":"billing"},{"name":"billing"}]}""" },
        { "flows", """{"flows":[{"name":"bad/name"}]}""" },
        { "tools", """{"tools":[{"name":"transfer_call"}]}""" },
        { "tools", """{"tools":[{"name":"handoff_human"}],"transfer":{"targets":[]}}""" },
        { "transfer.targets", """{"transfer":{"targets":[{"name":"billing","to":"5551234567"}]}}""" },
        { "transfer.targets", """{"transfer":{"targets":[{"name":"billing","to":"sip:no-host"}]}}""" },
        { "transfer.targets", """{"transfer":{"targets":[{"name":"billing","to":"+15551234567"},{"name":"billing","to":"+15551234568"}]}}""" },
        { "transfer.targets", """{"transfer":{"targets":[{"name":"bad name","to":"+15551234567"}]}}""" },
        { "transfer.callerId", """{"transfer":{"targets":[{"name":"billing","to":"+15551234567"}],"callerId":"office"}}""" },
    };

    [Fact]
    public void Validate_DefaultsWithAName_HasNoErrors() => Assert.Empty(AgentSpecValidator.Validate("support", Valid));

    [Fact]
    public void Validate_EverythingAtTheLimits_HasNoErrors()
    {
        var spec = AgentSpecJson.ParseStrict($$"""
            {
              "backend": "azure", "model": "{{new string('m', 100)}}", "voice": "shimmer",
              "instructions": "", "greeting": "{{new string('g', 2_000)}}", "audioFormat": "pcm24",
              "turnDetection": { "type": "none", "threshold": 1, "prefixPaddingMs": 0, "silenceDurationMs": 10000 },
              "limits": { "maxCallSeconds": 86400, "sessionTtlSeconds": 60 },
              "carriers": [], "modes": ["listen"], "phoneNumbers": ["+12345678", "+123456789012345"],
              "tools": [{ "name": "a-b_C9", "parameters": { "type": "object" } }],
              "flows": [{ "name": "{{new string('f', 64)}}" }]
            }
            """);
        Assert.Empty(AgentSpecValidator.Validate(new string('n', 100), spec));
        // Any voice name up to 50 characters for the local agent, which has no voice list.
        Assert.Empty(AgentSpecValidator.Validate("local", spec with { Backend = "local", Voice = new string('v', 50) }));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Validate_MissingName_ReportsName(string? name) => Assert.Equal(["name"], AgentSpecValidator.Validate(name, Valid).Keys);

    [Fact]
    public void Validate_NameOver100Characters_ReportsName() =>
        Assert.Equal(["name"], AgentSpecValidator.Validate(new string('n', 101), Valid).Keys);

    [Theory]
    [MemberData(nameof(BrokenSpecs))]
    public void Validate_OneBrokenRule_ReportsOnlyThatField(string field, string json)
    {
        var errors = AgentSpecValidator.Validate("support", AgentSpecJson.ParseStrict(json));

        var (key, messages) = Assert.Single(errors);
        Assert.Equal(field, key);
        Assert.NotEmpty(Assert.Single(messages));
    }

    [Fact]
    public void Validate_PrivacyAndSummarySettings_AreValidAndRoundTrip()
    {
        var spec = AgentSpecJson.ParseStrict("""{"privacy":{"callerNumber":"none","calleeNumber":"last4"},"summary":{"enabled":true,"instructions":"One line."}}""");

        Assert.Empty(AgentSpecValidator.Validate("support", spec));
        var stored = AgentSpecJson.ParseStored(AgentSpecJson.Serialize(spec));
        Assert.Equal(("none", "last4"), (stored.Privacy.CallerNumber, stored.Privacy.CalleeNumber));
        Assert.Equal((true, "One line."), (stored.Summary.Enabled, stored.Summary.Instructions));
        var defaults = AgentSpecJson.ParseStrict("{}");
        Assert.Equal(("last4", "full", false), (defaults.Privacy.CallerNumber, defaults.Privacy.CalleeNumber, defaults.Summary.Enabled));
    }

    [Fact]
    public void Validate_HttpToolWithSecretHeaders_IsValid()
    {
        var spec = AgentSpecJson.ParseStrict("""
            {"tools":[{"name":"lookup","timeoutSeconds":5,"http":{"url":"https://crm.example.com/orders","method":"GET","maxResponseBytes":4096,
              "headers":[{"name":"Authorization","secret":"crm","format":"Bearer {secret}"},{"name":"X-Source","value":"switchboard"}]}}]}
            """);
        Assert.Empty(AgentSpecValidator.Validate("support", spec));
    }

    [Fact]
    public void Validate_BuiltInToolsWithTransferTargets_AreValid()
    {
        var spec = AgentSpecJson.ParseStrict("""
            {"tools":[{"name":"end_call"},{"name":"transfer_call"},{"name":"handoff_human","description":"A person"}],
             "transfer":{"targets":[{"name":"billing","to":"+15551234567","description":"Invoices"},{"name":"desk","to":"sip:desk@pbx.example.com"}],
                         "callerId":"+15550001111"}}
            """);
        Assert.Empty(AgentSpecValidator.Validate("support", spec));
    }

    [Fact]
    public void Validate_HttpToolNamedLikeABuiltIn_NeedsNoTransferTargets()
    {
        var spec = AgentSpecJson.ParseStrict("""{"tools":[{"name":"transfer_call","http":{"url":"https://crm.example.com/transfer"}}]}""");
        Assert.Empty(AgentSpecValidator.Validate("support", spec));
    }

    [Fact]
    public void Validate_ManyBrokenRules_ReportsEveryOneAtOnce()
    {
        var spec = AgentSpecJson.ParseStrict("""
            {
              "backend": "gpt", "voice": "", "audioFormat": "mp3",
              "turnDetection": { "type": "magic", "threshold": 2, "prefixPaddingMs": -1, "silenceDurationMs": 99999 },
              "limits": { "maxCallSeconds": -1, "sessionTtlSeconds": 0 },
              "carriers": ["smoke_signal", "pigeon"], "modes": ["telepathy"], "phoneNumbers": ["555"],
              "tools": [{ "name": "x y" }], "browserActions": [{ "name": "ok", "parameters": 5 }], "flows": [{ "name": "" }]
            }
            """);

        var errors = AgentSpecValidator.Validate(null, spec);

        Assert.Equal(
            new[]
            {
                "audioFormat", "backend", "browserActions", "carriers", "flows", "limits.maxCallSeconds", "limits.sessionTtlSeconds", "modes", "name",
                "phoneNumbers", "tools", "turnDetection.prefixPaddingMs", "turnDetection.silenceDurationMs", "turnDetection.threshold", "turnDetection.type", "voice",
            },
            errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(2, errors["carriers"].Length);
        Assert.Contains(errors["carriers"], m => m.Contains("'pigeon'", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_NullNestedObjectsAndLists_AreTreatedAsDefaults()
    {
        var spec = JsonSerializer.Deserialize("""{"turnDetection":null,"limits":null,"tools":null,"carriers":null,"flows":null,"transfer":null}""", AgentJsonContext.Default.AgentSpec)!;
        Assert.Empty(AgentSpecValidator.Validate("support", spec));
    }
}
