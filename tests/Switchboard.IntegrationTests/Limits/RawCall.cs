using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Switchboard.IntegrationTests.Limits;

/// <summary>
/// One caller over a raw WebSocket (a Twilio or Telnyx media stream, or a browser session) that a test can end in any
/// state: a clean close, a carrier <c>stop</c>, or an abort with no close frame at all (a killed process).
/// It keeps reading until the gateway closes, and records what it got.
/// </summary>
internal sealed class RawCall : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<(WebSocketCloseStatus? Status, string? Reason)> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _kind;
    private readonly string _streamId = "MZ" + Guid.NewGuid().ToString("N");
    private Task? _receive;
    private Task? _media;
    private int _messages;
    private bool _answerClose = true;

    private RawCall(string kind) => _kind = kind;

    /// <summary>"twilio", "telnyx" or "session".</summary>
    public string Kind => _kind;

    /// <summary>The carrier stream's id (a test sending its own media frames names it).</summary>
    public string StreamSid => _streamId;

    /// <summary>Text messages received from the gateway so far.</summary>
    public int Messages => Volatile.Read(ref _messages);

    /// <summary>Completes with the gateway's close status and reason (null status: the connection was lost or aborted).</summary>
    public Task<(WebSocketCloseStatus? Status, string? Reason)> Closed => _closed.Task;

    /// <summary>
    /// Opens a carrier stream and sends <c>connected</c> and <c>start</c>, then (with <paramref name="media"/>) 20 ms of
    /// silence every 20 ms, as carriers do. Without <paramref name="answerClose"/> it never answers the gateway's close (a
    /// stalled peer).
    /// </summary>
    public static async Task<RawCall> CarrierAsync(string kind, string url, Guid endpointId, string endpointToken, bool media = true, bool answerClose = true)
    {
        var state = Convert.ToBase64String(Encoding.UTF8.GetBytes(Fill("""{"endpointId":"@0@","endpointToken":"@1@"}""", endpointId, endpointToken)));
        var call = new RawCall(kind) { _answerClose = answerClose };
        await call._socket.ConnectAsync(new Uri(url), CancellationToken.None);
        call._receive = call.ReceiveAsync();
        var callId = (kind == "twilio" ? "CA" : "v3:") + Guid.NewGuid().ToString("N");
        await call.SendAsync(kind == "twilio"
            ? """{"event":"connected","protocol":"Call","version":"1.0.0"}"""
            : """{"event":"connected","version":"1.0.0"}""");
        await call.SendAsync(kind == "twilio"
            ? Fill("""{"event":"start","sequenceNumber":"1","streamSid":"@0@","start":{"streamSid":"@1@","accountSid":"AC0","callSid":"@2@","tracks":["inbound"],"customParameters":{"endpointId":"@3@","endpointToken":"@4@"},"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1}}}""", call._streamId, call._streamId, callId, endpointId, endpointToken)
            : Fill("""{"event":"start","sequence_number":"1","stream_id":"@0@","start":{"user_id":"u0","call_control_id":"@1@","call_session_id":"s0","client_state":"@2@","from":"+15550000001","to":"+15550000002","media_format":{"encoding":"PCMU","sample_rate":8000,"channels":1}}}""", call._streamId, callId, state));
        if (media)
        {
            call._media = call.SendSilenceAsync();
        }

        return call;
    }

    /// <summary>Connects to a session WebSocket (its URL from <c>POST /api/v1/sessions</c>).</summary>
    public static async Task<RawCall> SessionAsync(string wsUrl)
    {
        var call = new RawCall("session");
        await call._socket.ConnectAsync(new Uri(wsUrl), CancellationToken.None);
        call._receive = call.ReceiveAsync();
        return call;
    }

    /// <summary>Hangs up cleanly: a carrier's <c>stop</c> or a session's <c>hangup</c>, then waits for the close.</summary>
    public async Task HangUpAsync()
    {
        await StopMediaAsync();
        await SendAsync(_kind switch
        {
            "twilio" => Fill("""{"event":"stop","sequenceNumber":"9","streamSid":"@0@","stop":{"accountSid":"AC0","callSid":"x"}}""", _streamId),
            "telnyx" => Fill("""{"event":"stop","sequence_number":"9","stream_id":"@0@","stop":{"call_control_id":"x"}}""", _streamId),
            _ => """{"type":"hangup"}""",
        });
    }

    /// <summary>Closes the socket with a close frame and no goodbye message.</summary>
    public async Task CloseSocketAsync()
    {
        await StopMediaAsync();
        try
        {
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
        }
        catch (WebSocketException)
        {
        }
    }

    /// <summary>Drops the connection with no close frame (the caller's process died).</summary>
    public async Task AbortAsync()
    {
        await StopMediaAsync();
        _socket.Abort();
    }

    private async Task StopMediaAsync()
    {
        await _stop.CancelAsync();
        if (_media is not null)
        {
            await _media.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task SendSilenceAsync()
    {
        var payload = Convert.ToBase64String(Enumerable.Repeat((byte)0xFF, 160).ToArray());
        var sequence = 2;
        try
        {
            while (!_stop.IsCancellationRequested && _socket.State == WebSocketState.Open)
            {
                await SendAsync(_kind == "twilio"
                    ? Fill("""{"event":"media","sequenceNumber":"@0@","streamSid":"@1@","media":{"track":"inbound","chunk":"@2@","timestamp":"@3@","payload":"@4@"}}""", sequence, _streamId, sequence, sequence * 20, payload)
                    : Fill("""{"event":"media","sequence_number":"@0@","stream_id":"@1@","media":{"track":"inbound","chunk":"@2@","timestamp":"@3@","payload":"@4@"}}""", sequence, _streamId, sequence, sequence * 20, payload));
                sequence++;
                await Task.Delay(20, _stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>
    /// Sends carrier media (μ-law 8 kHz) in 20 ms frames, as fast as the socket takes them (call with <c>media: false</c>, so
    /// no silence loop interleaves).
    /// </summary>
    public async Task SendMediaAsync(byte[] mulaw)
    {
        for (var offset = 0; offset < mulaw.Length; offset += 160)
        {
            var sequence = Interlocked.Increment(ref _mediaSequence);
            var payload = Convert.ToBase64String(mulaw, offset, Math.Min(160, mulaw.Length - offset));
            await SendAsync(_kind == "twilio"
                ? Fill("""{"event":"media","sequenceNumber":"@0@","streamSid":"@1@","media":{"track":"inbound","chunk":"@2@","timestamp":"@3@","payload":"@4@"}}""", sequence, _streamId, sequence, sequence * 20, payload)
                : Fill("""{"event":"media","sequence_number":"@0@","stream_id":"@1@","media":{"track":"inbound","chunk":"@2@","timestamp":"@3@","payload":"@4@"}}""", sequence, _streamId, sequence, sequence * 20, payload));
        }
    }

    private int _mediaSequence = 1;

    private readonly SemaphoreSlim _sendLock = new(1, 1);

    public async Task SendAsync(string json)
    {
        await _sendLock.WaitAsync();
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                await _socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);
            }
        }
        catch (WebSocketException)
        {
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    _closed.TrySetResult((_socket.CloseStatus, _socket.CloseStatusDescription));
                    await StopMediaAsync();
                    if (_answerClose && _socket.State == WebSocketState.CloseReceived)
                    {
                        await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                    }

                    return;
                }

                if (result.EndOfMessage)
                {
                    Interlocked.Increment(ref _messages);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            _closed.TrySetResult((null, null));
        }
    }

    /// <summary>Whether the gateway closed with <paramref name="code"/> within <paramref name="timeout"/>.</summary>
    public async Task<(WebSocketCloseStatus? Status, string? Reason)> WaitClosedAsync(TimeSpan timeout) =>
        await _closed.Task.WaitAsync(timeout);

    public async ValueTask DisposeAsync()
    {
        await StopMediaAsync();
        _socket.Abort();
        if (_receive is not null)
        {
            await _receive.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _socket.Dispose();
        _stop.Dispose();
        _sendLock.Dispose();
    }

    /// <summary>A JSON template with <c>@0@</c>, <c>@1@</c>… replaced by the values (JSON's braces make interpolation unreadable).</summary>
    private static string Fill(string template, params object[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            template = template.Replace("@" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "@", values[i].ToString(), StringComparison.Ordinal);
        }

        return template;
    }

    /// <summary>The JSON of a message (for session clients that care).</summary>
    public static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
