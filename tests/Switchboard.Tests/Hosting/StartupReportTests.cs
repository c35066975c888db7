using Switchboard.Server.Hosting;

namespace Switchboard.Tests.Hosting;

public class StartupReportTests
{
    [Theory]
    [InlineData("http://localhost:5050", "http://localhost:5050/")]
    [InlineData("http://0.0.0.0:5050", "http://localhost:5050/")]
    [InlineData("http://[::]:8080", "http://localhost:8080/")]
    [InlineData("http://+:5050", "http://localhost:5050/")]
    [InlineData("http://127.0.0.1:5077", "http://127.0.0.1:5077/")]
    public void BrowserUrl_ListeningAddress_IsOneABrowserCanOpen(string address, string expected) =>
        Assert.Equal(expected, StartupReport.BrowserUrl([address]));

    [Fact]
    public void BrowserUrl_PrefersPlainHttp_AndNoneWithoutAddresses()
    {
        Assert.Equal("http://localhost:5051/", StartupReport.BrowserUrl(["https://localhost:5443", "http://localhost:5051"]));
        Assert.Null(StartupReport.BrowserUrl([]));
        Assert.Null(StartupReport.BrowserUrl(null));
    }
}
