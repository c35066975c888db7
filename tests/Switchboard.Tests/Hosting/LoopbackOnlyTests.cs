using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Switchboard.Server.Hosting;

namespace Switchboard.Tests.Hosting;

public class LoopbackOnlyTests
{
    [Theory]
    [InlineData("http://localhost:5050", true)]
    [InlineData("http://127.0.0.1:0", true)]
    [InlineData("http://127.0.0.2:80", true)]
    [InlineData("https://[::1]:5001", true)]
    [InlineData("http://LOCALHOST:5050/", true)]
    [InlineData("http://0.0.0.0:5050", false)]
    [InlineData("http://*:5050", false)]
    [InlineData("http://+:5050", false)]
    [InlineData("http://[::]:5050", false)]
    [InlineData("http://gw.example.com:5050", false)]
    [InlineData("http://192.168.1.10:5050", false)]
    public void IsLoopback_OnlyLoopbackHosts(string url, bool expected) => Assert.Equal(expected, LoopbackOnly.IsLoopback(url));

    [Fact]
    public void CheckConfigured_InsecureModeOnAWildcard_Refuses_OnLoopbackOrWhenOff_Passes()
    {
        static IConfiguration Config(params (string Key, string Value)[] values) =>
            new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

        Assert.Throws<OptionsValidationException>(() => LoopbackOnly.CheckConfigured(Config((LoopbackOnly.InsecureKey, "true"), ("urls", "http://127.0.0.1:5050;http://0.0.0.0:5051")), false));
        Assert.Throws<OptionsValidationException>(() => LoopbackOnly.CheckConfigured(Config((LoopbackOnly.InsecureKey, "true"), ("Kestrel:Endpoints:Http:Url", "http://*:80")), true));
        LoopbackOnly.CheckConfigured(Config((LoopbackOnly.InsecureKey, "true")), defaultUrlUsed: true);
        LoopbackOnly.CheckConfigured(Config((LoopbackOnly.InsecureKey, "true"), ("urls", "http://localhost:5050")), false);
        LoopbackOnly.CheckConfigured(Config(("urls", "http://0.0.0.0:5050")), false);
    }
}
