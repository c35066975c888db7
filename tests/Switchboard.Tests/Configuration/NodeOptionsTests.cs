using Switchboard.Configuration;

namespace Switchboard.Tests.Configuration;

public class NodeOptionsTests
{
    [Theory]
    [InlineData("GATEWAY-01", "gateway-01")]
    [InlineData("box with spaces/ünï", "box-with-spaces--n-")]
    [InlineData("  ", "node")]
    [InlineData(null, "node")]
    public void IdFrom_MachineName_IsAValidIdInLowerCase(string? machine, string expected)
    {
        var id = NodeOptions.IdFrom(machine);

        Assert.Equal(expected, id);
        Assert.Empty(new NodeOptions { Id = id }.Validate("Switchboard:Node"));
    }

    [Fact]
    public void IdFrom_LongMachineName_IsCutToTheLongestId() =>
        Assert.Equal(NodeOptions.MaxIdLength, NodeOptions.IdFrom(new string('a', 300)).Length);

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("semi;colon")]
    public void Validate_BadId_NamesTheKey(string id) =>
        Assert.Contains("Switchboard:Node:Id", Assert.Single(SwitchboardOptionsValidator.Collect(new SwitchboardOptions { Node = new NodeOptions { Id = id } })), StringComparison.Ordinal);

    [Fact]
    public void Default_IsTheMachineNameAndValid()
    {
        Assert.Equal(NodeOptions.IdFrom(Environment.MachineName), new NodeOptions().Id);
        Assert.Empty(new NodeOptions().Validate("Switchboard:Node"));
    }
}
