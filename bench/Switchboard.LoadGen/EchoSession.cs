using System.Buffers;
using System.Buffers.Text;
using System.Net.WebSockets;

namespace Switchboard.LoadGen;

/// <summary>
/// One gateway connection to the echo backend. Everything it sends goes out from its receive loop, in
/// order: a barge-in (<c>speech_started</c>) and the switch to new response/item ids happen between two
/// deltas, so the gateway can never see a delta of the new item before the speech start.
/// </summary>
internal sealed class EchoSession(EchoBackend backend, WebSocket socket)
{
    private static ReadOnlySpan<byte> TypeName => "type"u8;
    private static ReadOnlySpan<byte> AudioName => "audio"u8;

    private readonly ArrayBufferWriter<byte> _out = new(1024);
    private readonly byte[] _scratch = new byte[16 * 1024];
    private byte[] _in = new byte[16 * 1024];
    private byte[] _audio = new byte[512];
    private int _audioLength;
    private CallState? _call;
    private StepContext? _step;
    private long _eventCounter;
    private int _generation;
    private bool _announced;
    private long _nextBargeIn;
    private long _inboundFrames;

    public async Task RunAsync(CancellationToken token)
    {
        Write("{\"type\":\"session.created\",\"event_id\":\"ev_lg_0\",\"session\":{\"type\":\"realtime\",\"object\":\"realtime.session\",\"id\":\"sess_lg\",\"model\":\"gpt-realtime\",\"expires_at\":4102444800,"u8);
        Write("\"audio\":{\"input\":{\"format\":{\"type\":\"audio/pcmu\"}},\"output\":{\"format\":{\"type\":\"audio/pcmu\"}}}}}"u8);
        await FlushAsync(token);
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var length = 0;
                while (true)
                {
                    if (length == _in.Length)
                    {
                        Array.Resize(ref _in, _in.Length * 2);
                    }

                    var result = await socket.ReceiveAsync(_in.AsMemory(length), token);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        await CloseAsync();
                        return;
                    }

                    length += result.Count;
                    if (result.EndOfMessage)
                    {
                        break;
                    }
                }

                await HandleAsync(length, token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
        }
    }

    private async ValueTask HandleAsync(int length, CancellationToken token)
    {
        var arrived = Ticks.Now;
        if (!TryClassify(length, out var isAppend, out var isSessionUpdate, out var call, out var sequence))
        {
            return;
        }

        if (isSessionUpdate)
        {
            Write("{\"type\":\"session.updated\",\"event_id\":\"ev_lg_1\",\"session\":{\"type\":\"realtime\",\"object\":\"realtime.session\",\"id\":\"sess_lg\",\"model\":\"gpt-realtime\","u8);
            // The format the gateway asked for, as the real API confirms it: μ-law for Twilio calls, PCM 24 kHz for sessions.
            Write(_in.AsSpan(0, length).IndexOf("\"audio/pcm\""u8) >= 0
                ? "\"audio\":{\"input\":{\"format\":{\"type\":\"audio/pcm\",\"rate\":24000}},\"output\":{\"format\":{\"type\":\"audio/pcm\",\"rate\":24000}}}}}"u8
                : "\"audio\":{\"input\":{\"format\":{\"type\":\"audio/pcmu\"}},\"output\":{\"format\":{\"type\":\"audio/pcmu\"}}}}}"u8);
            await FlushAsync(token);
            backend.OnConfigured();
            return;
        }

        if (!isAppend)
        {
            // response.cancel, conversation.item.truncate and anything else: nothing to answer.
            return;
        }

        _inboundFrames++;
        var state = Attach(call);
        if (state is not null && (uint)sequence < (uint)state.BackendArrived.Length)
        {
            state.BackendArrived[sequence] = arrived;
            if (sequence < state.HighestInbound)
            {
                state.InboundReordered++;
            }
            else
            {
                state.HighestInbound = sequence;
            }
        }

        if (state is not null && _step!.BargeInEveryTicks > 0 && arrived >= _nextBargeIn)
        {
            _nextBargeIn = arrived + _step.BargeInEveryTicks;
            Write("{\"type\":\"input_audio_buffer.speech_started\",\"event_id\":\""u8);
            WriteEventId();
            Write("\",\"audio_start_ms\":"u8);
            WriteNumber(_inboundFrames * 20);
            Write(",\"item_id\":\"item_in_"u8);
            WriteNumber(_generation);
            Write("\"}"u8);
            var sent = Ticks.Now;
            state.SpeechStartedSent.Add(sent);
            Interlocked.Exchange(ref state.PendingSpeechStarted, sent);
            await FlushAsync(token);
            _generation++;
            _announced = false;
        }

        if (!_announced)
        {
            Write("{\"type\":\"response.created\",\"event_id\":\""u8);
            WriteEventId();
            Write("\",\"response\":{\"object\":\"realtime.response\",\"id\":\"resp_lg_"u8);
            WriteNumber(_generation);
            Write("\",\"status\":\"in_progress\",\"output\":[]}}"u8);
            await FlushAsync(token);
            Write("{\"type\":\"response.output_item.added\",\"event_id\":\""u8);
            WriteEventId();
            Write("\",\"response_id\":\"resp_lg_"u8);
            WriteNumber(_generation);
            Write("\",\"output_index\":0,\"item\":{\"id\":\"item_lg_"u8);
            WriteNumber(_generation);
            Write("\",\"object\":\"realtime.item\",\"type\":\"message\",\"role\":\"assistant\",\"status\":\"in_progress\",\"content\":[]}}"u8);
            await FlushAsync(token);
            _announced = true;
        }

        Write("{\"type\":\"response.output_audio.delta\",\"event_id\":\""u8);
        WriteEventId();
        Write("\",\"response_id\":\"resp_lg_"u8);
        WriteNumber(_generation);
        Write("\",\"item_id\":\"item_lg_"u8);
        WriteNumber(_generation);
        Write("\",\"output_index\":0,\"content_index\":0,\"delta\":\""u8);
        Write(_audio.AsSpan(0, _audioLength));
        Write("\"}"u8);
        if (state is not null && (uint)sequence < (uint)state.BackendSent.Length)
        {
            state.BackendSent[sequence] = Ticks.Now;
        }

        await FlushAsync(token);
    }

    private bool TryClassify(int length, out bool isAppend, out bool isSessionUpdate, out int call, out int sequence)
    {
        JsonScan.Read(_in.AsSpan(0, length), TypeName, default, AudioName, out var type, out var audio, _scratch);
        isAppend = type.SequenceEqual("input_audio_buffer.append"u8);
        isSessionUpdate = type.SequenceEqual("session.update"u8);
        call = -1;
        sequence = -1;
        _audioLength = 0;
        if (isAppend)
        {
            if (audio.Length > _audio.Length)
            {
                _audio = new byte[audio.Length];
            }

            audio.CopyTo(_audio);
            _audioLength = audio.Length;
        }

        if (isAppend && !FrameId.TryRead(audio, out call, out sequence))
        {
            call = -1;
            sequence = -1;
        }

        return !type.IsEmpty;
    }

    private CallState? Attach(int call)
    {
        if (_call is not null)
        {
            return _call.Index == call ? _call : null;
        }

        _step = backend.Step;
        _call = _step?.Find(call);
        if (_call is not null && _step!.BargeInEveryTicks > 0)
        {
            _nextBargeIn = _step.FirstBargeIn(call, Ticks.Now);
        }

        return _call;
    }


    private void WriteEventId()
    {
        Write("ev_lg_"u8);
        WriteNumber(++_eventCounter);
    }

    private void WriteNumber(long value)
    {
        var span = _out.GetSpan(20);
        Utf8Formatter.TryFormat(value, span, out var written);
        _out.Advance(written);
    }

    private void Write(ReadOnlySpan<byte> bytes) => _out.Write(bytes);

    private async ValueTask FlushAsync(CancellationToken token)
    {
        await socket.SendAsync(_out.WrittenMemory, WebSocketMessageType.Text, true, token);
        _out.ResetWrittenCount();
    }

    private async Task CloseAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
        }
    }
}
