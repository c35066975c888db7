using System.Net.WebSockets;
using System.Text;
using Switchboard.Transport;

namespace Switchboard.Tests.Transport;

public class WebSocketHandshakeTests
{
    private const string Key = "dGhlIHNhbXBsZSBub25jZQ==";

    [Fact]
    public void ExpectedAccept_Rfc6455Sample_MatchesTheRfc()
    {
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WebSocketHandshake.ExpectedAccept(Key));
    }

    [Fact]
    public void NewKey_IsSixteenRandomBytesInBase64()
    {
        var a = WebSocketHandshake.NewKey();
        Assert.Equal(16, Convert.FromBase64String(a).Length);
        Assert.NotEqual(a, WebSocketHandshake.NewKey());
    }

    [Theory]
    [InlineData("ws://example.com/v1", "example.com")]
    [InlineData("ws://example.com:80/v1", "example.com")]
    [InlineData("ws://example.com:8080/v1", "example.com:8080")]
    [InlineData("wss://example.com/v1", "example.com")]
    [InlineData("wss://example.com:443/v1", "example.com")]
    [InlineData("wss://example.com:80/v1", "example.com:80")]
    [InlineData("ws://127.0.0.1:5000/v1", "127.0.0.1:5000")]
    [InlineData("ws://[::1]:5000/v1", "[::1]:5000")]
    [InlineData("wss://[::1]/v1", "[::1]")]
    [InlineData("wss://bücher.example/v1", "xn--bcher-kva.example")]
    public void HostHeader_PortOnlyWhenNotTheSchemeDefault(string url, string expected)
    {
        Assert.Equal(expected, WebSocketHandshake.HostHeader(new Uri(url)));
    }

    [Theory]
    [InlineData("ws://example.com/", "example.com", 80)]
    [InlineData("wss://example.com/", "example.com", 443)]
    [InlineData("wss://example.com:8443/", "example.com", 8443)]
    [InlineData("ws://[::1]:9/", "::1", 9)]
    public void ConnectHostAndPort_DefaultsPerScheme(string url, string host, int port)
    {
        Assert.Equal(host, WebSocketHandshake.ConnectHost(new Uri(url)));
        Assert.Equal(port, WebSocketHandshake.Port(new Uri(url)));
    }

    [Theory]
    [InlineData("http://example.com/")]
    [InlineData("https://example.com/")]
    public void IsSecure_NonWebSocketScheme_Throws(string url)
    {
        Assert.Throws<ArgumentException>(() => WebSocketHandshake.IsSecure(new Uri(url)));
    }

    [Fact]
    public void BuildRequest_WritesRequestLineUpgradeHeadersThenEndpointHeaders()
    {
        var request = Encoding.ASCII.GetString(WebSocketHandshake.BuildRequest(new Uri("wss://api.example.com/v1/realtime?model=gpt-realtime"),
            [new("Authorization", "Bearer sk-test"), new("X-Extra", "a b")], Key));

        Assert.Equal(
            "GET /v1/realtime?model=gpt-realtime HTTP/1.1\r\n" +
            "Host: api.example.com\r\n" +
            "Upgrade: websocket\r\n" +
            "Connection: Upgrade\r\n" +
            "Sec-WebSocket-Key: " + Key + "\r\n" +
            "Sec-WebSocket-Version: 13\r\n" +
            "Authorization: Bearer sk-test\r\n" +
            "X-Extra: a b\r\n" +
            "\r\n", request);
    }

    [Theory]
    [InlineData("Bearer sk\r\nX-Injected: 1")]
    [InlineData("Bearer sk\n")]
    [InlineData("Bearer sk\r")]
    public void BuildRequest_CrOrLfInValue_ThrowsWithoutEchoingTheValue(string value)
    {
        var ex = Assert.Throws<ArgumentException>(() => WebSocketHandshake.BuildRequest(new Uri("ws://example.com/"), [new("Authorization", value)], Key));
        Assert.Contains("Authorization", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Bearer", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Bad Name")]
    [InlineData("Bad:Name")]
    [InlineData("Bad\r\nName")]
    [InlineData("")]
    public void BuildRequest_NameNotAToken_Throws(string name)
    {
        Assert.Throws<ArgumentException>(() => WebSocketHandshake.BuildRequest(new Uri("ws://example.com/"), [new(name, "v")], Key));
    }

    [Theory]
    [InlineData("secret\u0000")]
    [InlineData("sécret")]
    public void BuildRequest_ControlOrNonAsciiInValue_Throws(string value)
    {
        var ex = Assert.Throws<ArgumentException>(() => WebSocketHandshake.BuildRequest(new Uri("ws://example.com/"), [new("api-key", value)], Key));
        Assert.DoesNotContain("cret", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Host")]
    [InlineData("sec-websocket-key")]
    [InlineData("Connection")]
    public void BuildRequest_HandshakeOwnedHeader_Throws(string name)
    {
        Assert.Throws<ArgumentException>(() => WebSocketHandshake.BuildRequest(new Uri("ws://example.com/"), [new(name, "x")], Key));
    }

    [Fact]
    public void ValidateResponse_Rfc6455Sample_Passes()
    {
        WebSocketHandshake.ValidateResponse(Head(
            "HTTP/1.1 101 Switching Protocols",
            "Upgrade: websocket",
            "Connection: Upgrade",
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), Key);
    }

    [Fact]
    public void ValidateResponse_CaseInsensitiveNamesAndConnectionList_Passes()
    {
        WebSocketHandshake.ValidateResponse(Head(
            "HTTP/1.1 101 Switching Protocols",
            "upgrade:   WebSocket  ",
            "connection: keep-alive, UPGRADE",
            "date: Sun, 23 Nov 2025 04:00:00 GMT",
            "sec-websocket-accept:s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), Key);
    }

    [Theory]
    [InlineData("HTTP/1.1 401 Unauthorized", "'401'", "Unauthorized")]
    [InlineData("HTTP/1.1 403 Forbidden", "'403'", "Forbidden")]
    [InlineData("HTTP/1.1 404 Not Found", "'404'", "Not Found")]
    [InlineData("HTTP/1.0 500 Internal Server Error", "'500'", "Internal Server Error")]
    public void ValidateResponse_NotSwitchingProtocols_NamesStatusAndReason(string statusLine, string code, string reason)
    {
        var ex = Assert.Throws<WebSocketException>(() => WebSocketHandshake.ValidateResponse(Head(statusLine, "Content-Length: 0"), Key));
        Assert.StartsWith($"The server returned status code {code} when status code '101' was expected", ex.Message, StringComparison.Ordinal);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.Equal(WebSocketError.NotAWebSocket, ex.WebSocketErrorCode);
    }

    [Fact]
    public void ValidateResponse_ReasonWithControlCharacters_IsCleanedForLogs()
    {
        var ex = Assert.Throws<WebSocketException>(() => WebSocketHandshake.ValidateResponse(Head("HTTP/1.1 400 Bad\u001b[31m Request"), Key));
        Assert.DoesNotContain("\u001b", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo")]
    [InlineData("X-Nothing: here")]
    public void ValidateResponse_WrongOrMissingAccept_Throws(string acceptLine)
    {
        var ex = Assert.Throws<WebSocketException>(() => WebSocketHandshake.ValidateResponse(Head(
            "HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade", acceptLine), Key));
        Assert.Contains("Sec-WebSocket-Accept", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Upgrade: h2c", "Connection: Upgrade", "Upgrade")]
    [InlineData("X-Other: 1", "Connection: Upgrade", "Upgrade")]
    [InlineData("Upgrade: websocket", "Connection: keep-alive", "Connection")]
    [InlineData("Upgrade: websocket", "X-Other: 1", "Connection")]
    public void ValidateResponse_UpgradeOrConnectionWrong_Throws(string upgrade, string connection, string named)
    {
        var ex = Assert.Throws<WebSocketException>(() => WebSocketHandshake.ValidateResponse(Head(
            "HTTP/1.1 101 Switching Protocols", upgrade, connection, "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), Key));
        Assert.Contains($"'{named}'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Sec-WebSocket-Extensions: permessage-deflate")]
    [InlineData("Sec-WebSocket-Protocol: chat")]
    public void ValidateResponse_UnrequestedExtensionOrProtocol_Throws(string line)
    {
        Assert.Throws<WebSocketException>(() => WebSocketHandshake.ValidateResponse(Head(
            "HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", line), Key));
    }

    [Theory]
    [InlineData("SSH-2.0-OpenSSH_9.6")]
    [InlineData("HTTP/1.1 1O1 Switching Protocols")]
    [InlineData("")]
    public void ValidateResponse_NotAnHttpStatusLine_Throws(string statusLine)
    {
        Assert.Throws<WebSocketException>(() => WebSocketHandshake.ValidateResponse(Head(statusLine), Key));
    }

    [Fact]
    public void ValidateResponse_Http10SwitchingProtocols_Throws()
    {
        Assert.Throws<WebSocketException>(() => WebSocketHandshake.ValidateResponse(Head(
            "HTTP/1.0 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), Key));
    }

    private static byte[] Head(params string[] lines) => Encoding.ASCII.GetBytes(string.Join("\r\n", lines));
}
