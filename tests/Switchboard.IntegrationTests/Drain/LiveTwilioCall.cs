using System.Diagnostics;
using Switchboard.Cli.Simulation;

namespace Switchboard.IntegrationTests.Drain;

/// <summary>
/// A Twilio media stream kept open like a call in progress: <c>connected</c> and <c>start</c>, then it listens, echoes each
/// playback mark as Twilio does once the audio before it has played, and notes when agent audio arrives, until the gateway closes.
/// </summary>
internal sealed class LiveTwilioCall : IAsyncDisposable
{
    private readonly SimulatedCarrierConnection _connection;

    private LiveTwilioCall(SimulatedCarrierConnection connection, Stopwatch clock)
    {
        _connection = connection;
        Outcome = Task.Run(() => ListenAsync(connection, clock));
    }

    /// <summary>Completes once the gateway has closed the stream.</summary>
    public Task<LiveCallOutcome> Outcome { get; }

    public static async Task<LiveTwilioCall> StartAsync(string url, Stopwatch clock)
    {
        var connection = await SimulatedCarrierConnection.ConnectAsync(url, new TwilioCallerProtocol(CallIdentity.NewTwilio()));
        await connection.SendConnectedAsync();
        await connection.SendStartAsync();
        return new LiveTwilioCall(connection, clock);
    }

    public async ValueTask DisposeAsync()
    {
        _connection.Abort();
        await ((Task)Outcome).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _connection.DisposeAsync();
    }

    private static async Task<LiveCallOutcome> ListenAsync(SimulatedCarrierConnection connection, Stopwatch clock)
    {
        var audio = new List<TimeSpan>();
        while (await connection.ReceiveAsync() is { } message)
        {
            switch (message.Kind)
            {
                case GatewayMessageKind.Media:
                    audio.Add(clock.Elapsed);
                    break;
                case GatewayMessageKind.Mark when message.MarkName is { } name:
                    await connection.SendMarkAsync(name);
                    break;
            }
        }

        // Answer the close, as Twilio does, so the gateway need not wait for it.
        await connection.CloseOutputAsync();
        return new LiveCallOutcome(audio, (int?)connection.CloseStatus, connection.CloseDescription);
    }
}
