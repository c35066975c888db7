using System.Net;
using Switchboard.Transport;

namespace Switchboard.Tests.Transport;

/// <summary>The parts of <see cref="WebSocketClient"/> decided before any socket opens; the wire tests are integration tests.</summary>
public class WebSocketClientTests
{
    [Fact]
    public async Task ConnectAsync_CrLfInHeaderValue_ThrowsArgumentExceptionBeforeConnecting()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await Assert.ThrowsAsync<ArgumentException>(() => WebSocketClient.ConnectAsync(new Uri("ws://127.0.0.1:9/v1/realtime"),
            [new("Authorization", "Bearer sk\r\nX-Injected: 1")], TimeSpan.FromSeconds(20), timeout.Token));
    }

    [Fact]
    public async Task ConnectAsync_HttpScheme_ThrowsArgumentException()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await Assert.ThrowsAsync<ArgumentException>(() => WebSocketClient.ConnectAsync(new Uri("http://127.0.0.1:9/"), [], TimeSpan.Zero, timeout.Token));
    }

    [Theory]
    [InlineData("wss://api.openai.com/v1/realtime?model=gpt-realtime")]
    [InlineData("ws://backend.internal:8080/v1/realtime")]
    public void UsesProxy_ProxyConfigured_True(string url)
    {
        Assert.True(WebSocketClient.UsesProxy(new Uri(url), new WebProxy("http://proxy.example:3128")));
    }

    [Fact]
    public void UsesProxy_NoProxyOrBypassed_False()
    {
        var url = new Uri("wss://api.openai.com/v1/realtime");
        Assert.False(WebSocketClient.UsesProxy(url, null));
        Assert.False(WebSocketClient.UsesProxy(url, new WebProxy()));
        Assert.False(WebSocketClient.UsesProxy(url, new WebProxy("http://proxy.example:3128", false, [@"api\.openai\.com"])));
        Assert.False(WebSocketClient.UsesProxy(new Uri("ws://127.0.0.1:5000/v1/realtime"), new WebProxy("http://proxy.example:3128", BypassOnLocal: true)));
    }

    [Fact]
    public void UsesProxy_AsksTheProxyWithTheHttpScheme()
    {
        var proxy = new RecordingProxy();
        WebSocketClient.UsesProxy(new Uri("wss://api.openai.com/v1/realtime?model=x"), proxy);
        Assert.Equal("https://api.openai.com/v1/realtime?model=x", proxy.Asked?.ToString());
        WebSocketClient.UsesProxy(new Uri("ws://localhost:8080/v1/realtime"), proxy);
        Assert.Equal("http://localhost:8080/v1/realtime", proxy.Asked?.ToString());
    }

    private sealed class RecordingProxy : IWebProxy
    {
        public Uri? Asked { get; private set; }

        public ICredentials? Credentials { get; set; }

        public Uri? GetProxy(Uri destination) => Asked = destination;

        public bool IsBypassed(Uri host)
        {
            Asked = host;
            return false;
        }
    }
}
