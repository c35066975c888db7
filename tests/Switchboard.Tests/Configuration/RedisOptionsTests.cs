using Switchboard.Configuration;

namespace Switchboard.Tests.Configuration;

public class RedisOptionsTests
{
    private static IReadOnlyList<string> Errors(RedisOptions redis) => SwitchboardOptionsValidator.Collect(new SwitchboardOptions { Redis = redis }).ToList();

    [Fact]
    public void Default_IsOff_AndValid()
    {
        Assert.False(new RedisOptions().Enabled);
        Assert.Equal(RedisOptions.RefusePolicy, new RedisOptions().OutagePolicy);
        Assert.Empty(Errors(new RedisOptions()));
    }

    [Fact]
    public void ValidConfigurationString_IsOn() =>
        Assert.Empty(Errors(new RedisOptions { Configuration = "redis-1:6379,redis-2:6379,password=s3cret,ssl=true,abortConnect=false", OutagePolicy = "local" }));

    [Fact]
    public void MalformedConfigurationString_IsRefused_WithoutEchoingIt()
    {
        var error = Assert.Single(Errors(new RedisOptions { Configuration = "127.0.0.1:6379,password=s3cret,connectTimeout=soon" }));

        Assert.Contains("Switchboard:Redis:Configuration", error, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fail-open")]
    [InlineData("Refuse")]
    public void UnknownOutagePolicy_NamesTheKey(string policy) =>
        Assert.Contains("Switchboard:Redis:OutagePolicy", Assert.Single(Errors(new RedisOptions { OutagePolicy = policy })), StringComparison.Ordinal);

    [Theory]
    [InlineData(2)]
    [InlineData(3601)]
    public void LeaseOutOfRange_NamesTheKey(int seconds) =>
        Assert.Contains("Switchboard:Redis:SlotLeaseSeconds", Assert.Single(Errors(new RedisOptions { SlotLeaseSeconds = seconds })), StringComparison.Ordinal);

    [Fact]
    public void LeaseSeconds_WinsOverItsOldName_SlotLeaseSeconds_StillWorksAlone()
    {
        Assert.Equal(30, new RedisOptions().EffectiveLeaseSeconds);
        Assert.Equal(9, new RedisOptions { SlotLeaseSeconds = 9 }.EffectiveLeaseSeconds);
        Assert.Equal(6, new RedisOptions { SlotLeaseSeconds = 9, LeaseSeconds = 6 }.EffectiveLeaseSeconds);
    }

    [Fact]
    public void LeaseSecondsOutOfRange_NamesTheNewKey() =>
        Assert.Contains("Switchboard:Redis:LeaseSeconds must be 3 to 3600 (got 2)", Assert.Single(Errors(new RedisOptions { LeaseSeconds = 2, SlotLeaseSeconds = 30 })),
            StringComparison.Ordinal);
}
