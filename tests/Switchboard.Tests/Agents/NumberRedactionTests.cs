using Switchboard.Agents;

namespace Switchboard.Tests.Agents;

public class NumberRedactionTests
{
    [Theory]
    [InlineData("+15550001111", "full", "+15550001111")]
    [InlineData("+15550001111", "last4", "+*******1111")]
    [InlineData("+44 20 7946 0958", "last4", "+** ** **** 0958")]
    [InlineData("+15550001111", "none", null)]
    [InlineData("+15550001111", "bogus", "+*******1111")]
    [InlineData("anonymous", "last4", "****")]
    [InlineData("1234", "last4", "****")]
    [InlineData(null, "full", null)]
    public void Apply_RedactsPerMode(string? number, string mode, string? expected) =>
        Assert.Equal(expected, NumberRedaction.Apply(number, mode));
}
