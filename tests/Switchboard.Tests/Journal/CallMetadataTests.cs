using Switchboard.Carriers;
using Switchboard.Journal;
using Switchboard.Server.Control;

namespace Switchboard.Tests.Journal;

public class CallMetadataTests
{
    [Fact]
    public void FromParameters_DropsRoutingParametersAndKeepsTheRest()
    {
        var json = CallMetadata.FromParameters(new Dictionary<string, string>
        {
            ["endpointId"] = "e", ["endpoint_id"] = "e", [EndpointBinding.TokenParameter] = "t", ["lead_id"] = "l-1", ["source"] = "dialer",
        });
        Assert.Equal("""{"lead_id":"l-1","source":"dialer"}""", json);
        Assert.Equal(new Dictionary<string, string> { ["lead_id"] = "l-1", ["source"] = "dialer" }, CallMetadata.Parse(json));
    }

    [Fact]
    public void RoutingParameters_CoverEveryNameTheResolverReads()
    {
        Assert.All(StoreAgentResolver.EndpointParameterNames, n => Assert.Contains(n, CallMetadata.RoutingParameters));
        Assert.Contains(EndpointBinding.TokenParameter, CallMetadata.RoutingParameters);
    }

    [Fact]
    public void FromParameters_NothingLeft_IsNull()
    {
        Assert.Null(CallMetadata.FromParameters(new Dictionary<string, string>()));
        Assert.Null(CallMetadata.FromParameters(new Dictionary<string, string> { ["endpointId"] = "e" }));
    }

    [Fact]
    public void FromParameters_HostileEntries_AreDroppedNotThrown()
    {
        var parameters = new Dictionary<string, string>
        {
            ["lone"] = "a\ud800b",
            ["\udc00key"] = "v",
            ["long"] = new string('x', CallMetadata.MaxValueLength + 1),
            [new string('k', CallMetadata.MaxKeyLength + 1)] = "v",
            ["pair"] = "\ud83d\ude00",
            ["quote"] = "\"<>&\n",
        };
        var parsed = CallMetadata.Parse(CallMetadata.FromParameters(parameters));
        Assert.Equal(new Dictionary<string, string> { ["pair"] = "\ud83d\ude00", ["quote"] = "\"<>&\n" }, parsed);
    }

    [Fact]
    public void FromParameters_KeepsAtMostMaxEntries()
    {
        var parameters = Enumerable.Range(0, 100).ToDictionary(i => $"k{i:D3}", i => i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var parsed = CallMetadata.Parse(CallMetadata.FromParameters(parameters));
        Assert.Equal(CallMetadata.MaxEntries, parsed.Count);
        Assert.Equal("0", parsed["k000"]);
    }

    [Fact]
    public void Parse_Unreadable_IsEmpty()
    {
        Assert.Empty(CallMetadata.Parse("{not json"));
        Assert.Empty(CallMetadata.Parse(null));
    }
}
