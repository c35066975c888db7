using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;
using Switchboard.IntegrationTests.Sessions;

namespace Switchboard.IntegrationTests.Drain;

/// <summary>
/// A session conversation kept open like a page that is playing the agent: it reports each piece of agent audio as played
/// (as the JavaScript client does) and notes when audio arrives, until the gateway closes the socket.
/// </summary>
internal sealed class LiveSession : IAsyncDisposable
{
    private readonly SessionTestClient _client;

    private LiveSession(SessionTestClient client, Stopwatch clock)
    {
        _client = client;
        Outcome = Task.Run(() => ListenAsync(client, clock));
    }

    /// <summary>Completes once the gateway has closed the socket.</summary>
    public Task<LiveCallOutcome> Outcome { get; }

    /// <summary>Connects to <paramref name="wsUrl"/> and waits until the conversation is admitted (<c>status connected</c>).</summary>
    public static async Task<LiveSession> StartAsync(string wsUrl, Stopwatch clock)
    {
        var client = await SessionTestClient.ConnectAsync(wsUrl);
        await client.WaitForTypeAsync("status", m => m.GetProperty("payload").GetProperty("state").GetString() == "connected");
        return new LiveSession(client, clock);
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        await ((Task)Outcome).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private static async Task<LiveCallOutcome> ListenAsync(SessionTestClient client, Stopwatch clock)
    {
        var audio = new List<TimeSpan>();
        var played = new Dictionary<string, long>(StringComparer.Ordinal);
        while (await client.WaitForAsync(_ => true, TimeSpan.FromSeconds(120)) is { } message)
        {
            if (message.GetProperty("type").GetString() != "audio")
            {
                continue;
            }

            audio.Add(clock.Elapsed);
            var payload = message.GetProperty("payload");
            var itemId = payload.GetProperty("itemId").GetString()!;
            var bytesPerMs = payload.GetProperty("sampleRate").GetInt32() / 1000 * 2;
            played[itemId] = played.GetValueOrDefault(itemId) + (Convert.FromBase64String(payload.GetProperty("audio").GetString()!).Length / bytesPerMs);
            try
            {
                await client.SendAsync(JsonSerializer.Serialize(new { type = "playback", payload = new { itemId, playedMs = played[itemId] } }));
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The gateway is closing; its close frame is next.
            }
        }

        return new LiveCallOutcome(audio, (int?)client.CloseStatus, client.CloseDescription);
    }
}
