using System.Buffers.Text;
using System.Net.WebSockets;
using System.Text;

namespace Switchboard.LoadGen;

/// <summary>
/// One simulated caller: a real <see cref="ClientWebSocket"/> to the relay. Caller audio frames are sent by the
/// <see cref="MediaScheduler"/>; this class owns the receive loop, which timestamps echoed agent audio and barge-in
/// stops (Twilio <c>clear</c>, session <c>interrupt</c>). The channel's wire format lives in <see cref="TwilioCall"/> and
/// <see cref="SessionCall"/>.
/// </summary>
internal abstract class SimulatedCall : IDisposable
{
    private readonly byte[] _frame = new byte[4096];
    private Task? _pendingSend;
    private Task? _receiveLoop;

    protected SimulatedCall(CallState state) => State = state;

    public CallState State { get; }

    private WebSocket? _socket;

    /// <summary>The connection to the relay (after <see cref="ConnectSocketAsync"/>).</summary>
    protected WebSocket Socket => _socket ?? throw new InvalidOperationException("the call is not connected");

    /// <summary>
    /// Whether callers connect on the gateway's event loop (<see cref="Switchboard.Transport.WebSocketClient"/>) rather than
    /// with <see cref="ClientWebSocket"/>; set once from the options.
    /// </summary>
    public static bool OnEventLoop { get; set; }

    /// <summary>Scratch for <see cref="JsonScan"/> unescaping.</summary>
    protected byte[] Scratch { get; } = new byte[16 * 1024];

    /// <summary>Opens the channel's connection and its start messages, then starts the receive loop.</summary>
    public async Task ConnectAsync(GatewayProcess gateway, CancellationToken token)
    {
        await OpenAsync(gateway, token);
        State.Connected = true;
        _receiveLoop = Task.Run(() => ReceiveLoopAsync(token), CancellationToken.None);
    }

    /// <summary>Opens <see cref="Socket"/> to <paramref name="url"/>, with no keep-alive pings.</summary>
    protected async Task ConnectSocketAsync(Uri url, CancellationToken token)
    {
        if (OnEventLoop)
        {
            _socket = await Switchboard.Transport.WebSocketClient.ConnectAsync(url, [], TimeSpan.Zero, token);
            return;
        }

        var client = new ClientWebSocket();
        client.Options.KeepAliveInterval = TimeSpan.Zero;
        _socket = client;
        await client.ConnectAsync(url, token);
    }

    /// <summary>Connects <see cref="Socket"/> and sends whatever the channel sends before audio.</summary>
    protected abstract Task OpenAsync(GatewayProcess gateway, CancellationToken token);

    /// <summary>Writes caller audio frame <paramref name="sequence"/> (a whole message) into <paramref name="target"/>.</summary>
    protected abstract int WriteFrame(byte[] target, int sequence);

    /// <summary>The channel's orderly goodbye before the close (Twilio <c>stop</c>, session <c>hangup</c>).</summary>
    protected abstract string StopMessage();

    /// <summary>Control messages to send before frame <paramref name="sequence"/> (scheduler thread), or null.</summary>
    protected virtual List<string>? TakeControls(int sequence) => null;

    /// <summary>One whole message from the relay.</summary>
    protected abstract void Handle(ReadOnlySpan<byte> message, long arrived);

    /// <summary>Sends media frame <paramref name="sequence"/> now (called from the scheduler thread only).</summary>
    public void SendFrame(int sequence, CancellationToken token)
    {
        if (State.Failure is not null || Socket.State != WebSocketState.Open || sequence >= State.CarrierSent.Length)
        {
            return;
        }

        // Every send of a call goes out from here, one after the other: a WebSocket takes one send at a time.
        var controls = TakeControls(sequence);
        if (_pendingSend is { IsCompleted: false } || controls is not null)
        {
            // Back-pressure (the previous frame is still in the socket) or control messages first: queue this frame
            // behind them, on its own buffer.
            if (_pendingSend is { IsCompleted: false })
            {
                State.SendStalls++;
            }

            var copy = new byte[_frame.Length];
            var length = WriteFrame(copy, sequence);
            _pendingSend = SendAfterAsync(_pendingSend, controls, copy, length, sequence, token);
            State.FramesSent = sequence + 1;
            return;
        }

        if (_pendingSend is { IsFaulted: true })
        {
            Fail(_pendingSend.Exception!.GetBaseException());
            return;
        }

        var written = WriteFrame(_frame, sequence);
        State.CarrierSent[sequence] = Ticks.Now;
        State.FramesSent = sequence + 1;
        try
        {
            var send = Socket.SendAsync(_frame.AsMemory(0, written), WebSocketMessageType.Text, true, token);
            _pendingSend = send.IsCompletedSuccessfully ? null : send.AsTask();
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            Fail(ex);
        }
    }

    /// <summary>Sends the stop message, closes the socket, and waits for the receive loop.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_socket is null)
        {
            return;
        }

        using var cts = new CancellationTokenSource(timeout);
        try
        {
            if (_pendingSend is not null)
            {
                await _pendingSend.WaitAsync(cts.Token);
            }

            if (Socket.State == WebSocketState.Open)
            {
                await SendTextAsync(StopMessage(), cts.Token);
                await Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "stop", cts.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            Socket.Abort();
        }

        if (_receiveLoop is not null)
        {
            try
            {
                await _receiveLoop.WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None);
            }
            catch (TimeoutException)
            {
                Socket.Abort();
            }
        }
    }

    public void Dispose() => _socket?.Dispose();

    /// <summary>A control message sent outside the scheduler's frames (start, playback reports): after any pending frame.</summary>
    protected async Task SendTextAsync(string text, CancellationToken token) =>
        await Socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, token);

    /// <summary>Records echoed agent audio whose base64 carries a <see cref="FrameId"/>.</summary>
    protected void OnAgentAudio(ReadOnlySpan<byte> base64, long arrived)
    {
        var state = State;
        if (!FrameId.TryRead(base64, out var call, out var sequence) || call != state.Index || (uint)sequence >= (uint)state.CarrierArrived.Length)
        {
            state.ForeignFrames++;
            return;
        }

        if (state.CarrierArrived[sequence] != 0)
        {
            state.EchoDuplicates++;
            return;
        }

        state.CarrierArrived[sequence] = arrived;
        if (sequence < state.HighestEchoed)
        {
            state.EchoReordered++;
        }
        else
        {
            state.HighestEchoed = sequence;
        }
    }

    /// <summary>Records a barge-in stop (Twilio <c>clear</c>, session <c>interrupt</c>) against the newest speech start.</summary>
    protected void OnClear(long arrived)
    {
        var state = State;
        state.ClearsReceived++;
        var sent = Interlocked.Exchange(ref state.PendingSpeechStarted, 0);
        if (sent == 0)
        {
            state.UnmatchedClears++;
        }
        else
        {
            state.BargeIns.Add((sent, arrived - sent));
        }
    }

    protected static int Number(Span<byte> target, long value)
    {
        Utf8Formatter.TryFormat(value, target, out var written);
        return written;
    }

    protected static int Literal(Span<byte> target, ReadOnlySpan<byte> literal)
    {
        literal.CopyTo(target);
        return literal.Length;
    }

    protected void Fail(Exception ex) => State.Failure ??= ex.GetType().Name + ": " + ex.Message;

    private async Task SendAfterAsync(Task? previous, List<string>? controls, byte[] frame, int length, int sequence, CancellationToken token)
    {
        if (previous is not null)
        {
            await previous;
        }

        foreach (var control in controls ?? [])
        {
            await SendTextAsync(control, token);
        }

        State.CarrierSent[sequence] = Ticks.Now;
        await Socket.SendAsync(frame.AsMemory(0, length), WebSocketMessageType.Text, true, token);
    }

    private async Task ReceiveLoopAsync(CancellationToken token)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var length = 0;
                while (true)
                {
                    if (length == buffer.Length)
                    {
                        Array.Resize(ref buffer, buffer.Length * 2);
                    }

                    var result = await Socket.ReceiveAsync(buffer.AsMemory(length), token);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        if (Socket.CloseStatus != WebSocketCloseStatus.NormalClosure && State.Failure is null)
                        {
                            State.Failure = $"relay closed {(int?)Socket.CloseStatus}: {Socket.CloseStatusDescription}";
                        }

                        return;
                    }

                    length += result.Count;
                    if (result.EndOfMessage)
                    {
                        break;
                    }
                }

                Handle(buffer.AsSpan(0, length), Ticks.Now);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
        }
    }
}
