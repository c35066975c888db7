using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Agents;
using Switchboard.Calls;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.IntegrationTests.Sessions;
using Switchboard.Server.Hosting;
using Switchboard.Transport;

namespace Switchboard.IntegrationTests.Transport;

/// <summary>
/// The event-loop transport's hand-over after a WebSocket upgrade, on a real gateway: bytes a carrier sends right behind
/// its upgrade request (read by the HTTP stack before the hand-over) are not lost, and HTTP requests keep working.
/// </summary>
public sealed class LoopTransportTests : IAsyncDisposable
{
    private GatewayFixture? _gateway;

    [Fact]
    public async Task Carrier_messages_sent_in_the_same_segment_as_the_upgrade_request_start_the_call()
    {
        var settings = SessionApi.Settings();
        settings["Switchboard:Backend:Kind"] = "Local";
        _gateway = await GatewayFixture.StartAsync(settings);
        var endpoint = await SessionApi.CreateEndpointAsync(_gateway, new AgentSpec { Backend = "local" });
        var token = await CarrierBinding.TokenAsync(_gateway, endpoint.Id);
        var url = new Uri(_gateway.WebSocketUrl("/twilio"));
        var streamSid = "MZ" + Guid.NewGuid().ToString("N");
        var callSid = "CA" + Guid.NewGuid().ToString("N");

        var head = $"GET {url.PathAndQuery} HTTP/1.1\r\nHost: {url.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Sec-WebSocket-Key: {Convert.ToBase64String(RandomNumberGenerator.GetBytes(16))}\r\nSec-WebSocket-Version: 13\r\n\r\n";
        var connected = """{"event":"connected","protocol":"Call","version":"1.0.0"}""";
        var start = """{"event":"start","sequenceNumber":"1","streamSid":"@S","start":{"streamSid":"@S","accountSid":"AC0","callSid":"@C","tracks":["inbound"],"customParameters":{"endpointId":"@E","endpointToken":"@T"},"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1}}}"""
            .Replace("@S", streamSid, StringComparison.Ordinal).Replace("@C", callSid, StringComparison.Ordinal)
            .Replace("@E", endpoint.Id.ToString(), StringComparison.Ordinal).Replace("@T", token, StringComparison.Ordinal);
        byte[] all = [.. Encoding.ASCII.GetBytes(head), .. MaskedText(connected), .. MaskedText(start)];

        using var tcp = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await tcp.ConnectAsync(url.Host, url.Port);
        Assert.Equal(all.Length, await tcp.SendAsync(all)); // one write: the frames travel with the request
        var stream = new NetworkStream(tcp, ownsSocket: false);
        var (status, early) = await ReadHeadAsync(stream);
        Assert.StartsWith("HTTP/1.1 101", status);
        using var socket = WebSocket.CreateFromStream(early.Length > 0 ? new PrefixedStream(stream, early) : stream, new WebSocketCreationOptions { IsServer = false });

        // The start reached the call: it is registered under its stream.
        var calls = _gateway.App.Services.GetRequiredService<CallRegistry>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!calls.TryFindByStream(streamSid, out _) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.True(calls.TryFindByStream(streamSid, out _), "the start sent with the upgrade request never reached the gateway");
        Assert.True(EventLoop.InUse);
        // The frames were read by the HTTP stack with the request and handed over with the socket.
        Assert.True(_gateway.App.Services.GetRequiredService<LoopTransport>().TakeoversWithEarlyBytes >= 1);

        // Plain HTTP on the same transport.
        using var http = new HttpClient();
        Assert.True((await http.GetAsync(new Uri(new Uri(_gateway.BaseUrl), "/healthz"))).IsSuccessStatusCode);
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }
    }

    private static async Task<(string Status, byte[] Early)> ReadHeadAsync(Stream stream)
    {
        var buffer = new byte[16 * 1024];
        var filled = 0;
        int end;
        while ((end = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(filled)).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.True(read > 0, "the gateway closed during the handshake");
            filled += read;
        }

        var headText = Encoding.ASCII.GetString(buffer, 0, end);
        return (headText.Split("\r\n")[0], buffer.AsSpan(end + 4, filled - end - 4).ToArray());
    }

    /// <summary>A final, masked (client → server) text frame.</summary>
    private static byte[] MaskedText(string text)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        var mask = RandomNumberGenerator.GetBytes(4);
        var header = payload.Length < 126
            ? new byte[] { 0x81, (byte)(0x80 | payload.Length) }
            : [0x81, 0x80 | 126, (byte)(payload.Length >> 8), (byte)payload.Length];
        var frame = new byte[header.Length + 4 + payload.Length];
        header.CopyTo(frame, 0);
        mask.CopyTo(frame, header.Length);
        for (var i = 0; i < payload.Length; i++)
        {
            frame[header.Length + 4 + i] = (byte)(payload[i] ^ mask[i % 4]);
        }

        return frame;
    }
}
