using System.Net.WebSockets;
using System.Text;
using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Transport;

namespace Switchboard.IntegrationTests.LocalBackend;

/// <summary>The gateway's agent-leg connection (<see cref="RealtimeConnection"/>) against the local backend.</summary>
public sealed class RealtimeConnectionTests
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Connect_ValidKey_ReceivesSessionCreatedAndDisposeEndsTheSession()
    {
        await using var host = await LocalBackendFixture.StartAsync();
        var connection = await RealtimeConnection.ConnectAsync(RealtimeEndpoint.ForLocal(host.Url, host.ApiKey, "gpt-realtime"), 1 << 20, ConnectTimeout, CancellationToken.None);

        using var cts = new CancellationTokenSource(ConnectTimeout);
        Assert.Equal(ReceiveStatus.Text, await connection.ReceiveAsync(cts.Token));
        Assert.Contains("\"session.created\"", Encoding.UTF8.GetString(connection.Message.Span), StringComparison.Ordinal);
        await LocalBackendConnectionTests.WaitUntilAsync(() => host.ActiveSessions == 1);

        await connection.DisposeAsync();
        await LocalBackendConnectionTests.WaitUntilAsync(() => host.ActiveSessions == 0);
    }

    [Fact]
    public async Task Connect_WrongKey_WebSocketExceptionNames401()
    {
        await using var host = await LocalBackendFixture.StartAsync();

        var ex = await Assert.ThrowsAsync<WebSocketException>(() =>
            RealtimeConnection.ConnectAsync(RealtimeEndpoint.ForLocal(host.Url, "sk-local-wrong", "gpt-realtime"), 1 << 20, ConnectTimeout, CancellationToken.None));
        Assert.Contains("'401'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stop_WithOpenConnection_CloseStatusReachesTheConnection()
    {
        var host = await LocalBackendFixture.StartAsync();
        await using var connection = await RealtimeConnection.ConnectAsync(RealtimeEndpoint.ForLocal(host.Url, host.ApiKey, "gpt-realtime"), 1 << 20, ConnectTimeout, CancellationToken.None);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var stopping = host.StopAsync(cts.Token);

        while (await connection.ReceiveAsync(cts.Token) != ReceiveStatus.Closed)
        {
        }

        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, connection.CloseStatus);
        Assert.False(string.IsNullOrEmpty(connection.CloseStatusDescription));
        await stopping;
        await host.DisposeAsync();
    }
}
