using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Switchboard.Transport;

namespace Switchboard.Sessions;

/// <summary>
/// Writes every server message in the one envelope of <c>/ws/session</c> —
/// <c>{ "type", "sessionId", "seq", "timestamp", "payload" }</c> — and sends it. Numbering and sending happen under
/// one lock, so <c>seq</c> increases in exactly the order the client receives the messages.
/// </summary>
internal sealed class SessionOutbox : IDisposable
{
    private readonly WebSocketSender _sender;
    private readonly string _sessionId;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly PooledBufferWriter _buffer = new(2048);
    private Utf8JsonWriter? _writer;
    private long _seq;

    public SessionOutbox(WebSocketSender sender, Guid sessionId, TimeProvider time)
    {
        _sender = sender;
        _sessionId = sessionId.ToString("D");
        _time = time;
    }

    /// <summary>Sends one message; false (never throws) when the socket is gone or closing.</summary>
    public async ValueTask<bool> SendAsync<TState>(string type, TState state, Action<Utf8JsonWriter, TState> writePayload, CancellationToken cancellationToken)
    {
        try
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }

        try
        {
            _buffer.ResetWrittenCount();
            // One writer per connection, reset per message: agent audio makes this 25-50 messages a second.
            var w = _writer ??= new Utf8JsonWriter(_buffer);
            w.Reset(_buffer);
            w.WriteStartObject();
            w.WriteString("type"u8, type);
            w.WriteString("sessionId"u8, _sessionId);
            w.WriteNumber("seq"u8, ++_seq);
            Span<char> timestamp = stackalloc char[32];
            _time.GetUtcNow().UtcDateTime.TryFormat(timestamp, out var length, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            w.WriteString("timestamp"u8, timestamp[..length]);
            w.WriteStartObject("payload"u8);
            writePayload(w, state);
            w.WriteEndObject();
            w.WriteEndObject();
            w.Flush();

            return await _sender.SendTextAsync(_buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // A waiting session holds no message buffer (agent audio makes it ~1.4 KiB, more for transcripts).
            _buffer.Release();
            _gate.Release();
        }
    }

    public ValueTask<bool> SendStatusAsync(string state, CancellationToken cancellationToken) =>
        SendAsync(SessionMessageTypes.Status, state, static (w, s) => w.WriteString("state"u8, s), cancellationToken);

    public ValueTask<bool> SendErrorAsync(SessionError error, CancellationToken cancellationToken, string? backendCode = null) =>
        SendAsync(SessionMessageTypes.Error, (error, backendCode), static (w, s) =>
        {
            w.WriteString("code"u8, s.error.Code);
            w.WriteString("message"u8, s.error.Message);
            if (s.backendCode is not null)
            {
                w.WriteString("backendCode"u8, s.backendCode);
            }
        }, cancellationToken);

    /// <summary>
    /// A transcript piece: <paramref name="role"/> is <c>user</c> or <c>agent</c>; deltas have <paramref name="final"/> false;
    /// an agent turn cut off by the user carries what was heard (<paramref name="heardMs"/>).
    /// </summary>
    public ValueTask<bool> SendTranscriptAsync(string role, string text, bool final, string itemId, CancellationToken cancellationToken, long? heardMs = null) =>
        SendAsync(SessionMessageTypes.Transcript, (role, text, final, itemId, heardMs), static (w, s) =>
        {
            w.WriteString("role"u8, s.role);
            w.WriteString("text"u8, s.text);
            w.WriteBoolean("final"u8, s.final);
            w.WriteString("itemId"u8, s.itemId);
            if (s.heardMs is { } heard)
            {
                w.WriteBoolean("interrupted"u8, true);
                w.WriteNumber("heardMs"u8, heard);
            }
        }, cancellationToken);

    /// <summary>A chatbot's message (<c>chatbot</c>): its text, the item it became in the conversation, its stream entry.</summary>
    public ValueTask<bool> SendChatbotAsync(string itemId, string text, string streamId, CancellationToken cancellationToken) =>
        SendAsync(SessionMessageTypes.Chatbot, (itemId, text, streamId), static (w, s) =>
        {
            w.WriteString("text"u8, s.text);
            w.WriteString("itemId"u8, s.itemId);
            w.WriteString("streamId"u8, s.streamId);
        }, cancellationToken);

    public void Dispose()
    {
        _writer?.Dispose();
        _gate.Dispose();
    }
}
