using System.Buffers.Text;
using System.Net.WebSockets;
using System.Text;

namespace Switchboard.LoadGen;

/// <summary>
/// One simulated Twilio Media Stream: a real <see cref="ClientWebSocket"/> to the gateway's <c>/twilio</c>.
/// Media frames are sent by the <see cref="MediaScheduler"/>; this class owns the receive loop, which
/// timestamps echoed media and <c>clear</c>s and never echoes marks (so all agent audio stays unconfirmed
/// and every speech start must produce a clear).
/// </summary>
internal sealed class SimulatedCall : IDisposable
{
    private static ReadOnlySpan<byte> EventName => "event"u8;
    private static ReadOnlySpan<byte> MediaName => "media"u8;
    private static ReadOnlySpan<byte> PayloadName => "payload"u8;

    private readonly ClientWebSocket _socket = new();
    private readonly byte[] _frame = new byte[512];
    private readonly byte[] _payload = new byte[FrameId.PayloadBytes];
    private readonly byte[] _scratch = new byte[8 * 1024];
    private readonly byte[] _mediaPrefix;
    private Task? _pendingSend;
    private Task? _receiveLoop;

    public SimulatedCall(CallState state)
    {
        State = state;
        _mediaPrefix = Encoding.UTF8.GetBytes("{\"event\":\"media\",\"streamSid\":\"" + state.StreamSid + "\",\"sequenceNumber\":\"");
    }

    public CallState State { get; }

    public async Task ConnectAsync(Uri gateway, CancellationToken token)
    {
        _socket.Options.KeepAliveInterval = TimeSpan.Zero;
        await _socket.ConnectAsync(gateway, token);
        await SendTextAsync("{\"event\":\"connected\",\"protocol\":\"Call\",\"version\":\"1.0.0\"}", token);
        await SendTextAsync(
            "{\"event\":\"start\",\"sequenceNumber\":\"1\",\"streamSid\":\"" + State.StreamSid + "\",\"start\":{\"accountSid\":\"AC00000000000000000000000000000000\",\"streamSid\":\""
            + State.StreamSid + "\",\"callSid\":\"" + State.CallSid + "\",\"tracks\":[\"inbound\"],\"mediaFormat\":{\"encoding\":\"audio/x-mulaw\",\"sampleRate\":8000,\"channels\":1},\"customParameters\":{}}}",
            token);
        State.Connected = true;
        _receiveLoop = Task.Run(() => ReceiveLoopAsync(token), CancellationToken.None);
    }

    /// <summary>Sends media frame <paramref name="sequence"/> now (called from the scheduler thread only).</summary>
    public void SendFrame(int sequence, CancellationToken token)
    {
        if (State.Failure is not null || _socket.State != WebSocketState.Open || sequence >= State.CarrierSent.Length)
        {
            return;
        }

        if (_pendingSend is { IsCompleted: false })
        {
            // Back-pressure: the previous frame is still in the socket. Queue this one behind it, on its own buffer.
            State.SendStalls++;
            var copy = new byte[_frame.Length];
            var length = WriteFrame(copy, sequence);
            _pendingSend = SendAfterAsync(_pendingSend, copy, length, sequence, token);
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
            var send = _socket.SendAsync(_frame.AsMemory(0, written), WebSocketMessageType.Text, true, token);
            _pendingSend = send.IsCompletedSuccessfully ? null : send.AsTask();
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            Fail(ex);
        }
    }

    /// <summary>Sends <c>stop</c>, closes the socket, and waits for the receive loop.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            if (_pendingSend is not null)
            {
                await _pendingSend.WaitAsync(cts.Token);
            }

            if (_socket.State == WebSocketState.Open)
            {
                await SendTextAsync("{\"event\":\"stop\",\"sequenceNumber\":\"" + (State.FramesSent + 2) + "\",\"streamSid\":\"" + State.StreamSid
                    + "\",\"stop\":{\"accountSid\":\"AC00000000000000000000000000000000\",\"callSid\":\"" + State.CallSid + "\"}}", cts.Token);
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "stop", cts.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            _socket.Abort();
        }

        if (_receiveLoop is not null)
        {
            try
            {
                await _receiveLoop.WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None);
            }
            catch (TimeoutException)
            {
                _socket.Abort();
            }
        }
    }

    public void Dispose() => _socket.Dispose();

    private async Task SendAfterAsync(Task previous, byte[] frame, int length, int sequence, CancellationToken token)
    {
        await previous;
        State.CarrierSent[sequence] = Ticks.Now;
        await _socket.SendAsync(frame.AsMemory(0, length), WebSocketMessageType.Text, true, token);
    }

    private int WriteFrame(byte[] target, int sequence)
    {
        // Twilio numbers the start message 1, so media frames start at 2; chunk from 1; timestamp in ms.
        var span = target.AsSpan();
        _mediaPrefix.CopyTo(span);
        var n = _mediaPrefix.Length;
        n += Number(span[n..], sequence + 2);
        n += Literal(span[n..], "\",\"media\":{\"track\":\"inbound\",\"chunk\":\""u8);
        n += Number(span[n..], sequence + 1);
        n += Literal(span[n..], "\",\"timestamp\":\""u8);
        n += Number(span[n..], sequence * 20L);
        n += Literal(span[n..], "\",\"payload\":\""u8);
        FrameId.Write(_payload, State.Index, sequence);
        Base64.EncodeToUtf8(_payload, span[n..], out _, out var encoded);
        n += encoded;
        n += Literal(span[n..], "\"}}"u8);
        return n;
    }

    private static int Number(Span<byte> target, long value)
    {
        Utf8Formatter.TryFormat(value, target, out var written);
        return written;
    }

    private static int Literal(Span<byte> target, ReadOnlySpan<byte> literal)
    {
        literal.CopyTo(target);
        return literal.Length;
    }

    private async Task SendTextAsync(string text, CancellationToken token) =>
        await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, token);

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

                    var result = await _socket.ReceiveAsync(buffer.AsMemory(length), token);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        if (_socket.CloseStatus != WebSocketCloseStatus.NormalClosure && State.Failure is null)
                        {
                            State.Failure = $"gateway closed {(int?)_socket.CloseStatus}: {_socket.CloseStatusDescription}";
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

    private void Handle(ReadOnlySpan<byte> message, long arrived)
    {
        JsonScan.Read(message, EventName, MediaName, PayloadName, out var evt, out var payload, _scratch);
        var state = State;
        if (evt.SequenceEqual("media"u8))
        {
            if (!FrameId.TryRead(payload, out var call, out var sequence) || call != state.Index || (uint)sequence >= (uint)state.CarrierArrived.Length)
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
        else if (evt.SequenceEqual("mark"u8))
        {
            state.MarksReceived++;
        }
        else if (evt.SequenceEqual("clear"u8))
        {
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
    }

    private void Fail(Exception ex) => State.Failure ??= ex.GetType().Name + ": " + ex.Message;
}
