using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Switchboard.LoadGen;

/// <summary>
/// A simulated browser on <c>/ws/session</c> (docs/sessions.md) in <c>voice_conversation</c> mode, created through the
/// keyless demo route: microphone audio as PCM16 24 kHz pieces of 20 ms (the same cadence as a Twilio call, the SDK's
/// smallest <c>chunkMs</c>), a <c>playback</c> report every 200 ms as the SDK sends (everything received counts as
/// played), and on <c>interrupt</c> the SDK's answer, <c>playback</c> with <c>interrupted: true</c>. 24 kHz meets the
/// backend's <c>audio/pcm</c> without resampling, so the frame ids survive both ways.
/// </summary>
internal sealed class SessionCall(CallState state) : SimulatedCall(state)
{
    /// <summary>20 ms of PCM16 at 24 kHz.</summary>
    public const int PayloadBytes = 960;

    private const int PlaybackEveryFrames = 10;

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(15) };

    private readonly byte[] _payload = new byte[PayloadBytes];
    private readonly ConcurrentQueue<string> _controls = new();

    // Receive loop only (the playback report reads them under the lock).
    private readonly Lock _gate = new();
    private byte[] _itemUtf8 = [];
    private string? _item;
    private long _itemBytes;

    protected override async Task OpenAsync(GatewayProcess gateway, CancellationToken token)
    {
        using var response = await Http.PostAsJsonAsync(new Uri(gateway.BaseUrl, "/demo/sessions"), new { mode = "voice_conversation" }, token);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST /demo/sessions: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(token)}");
        }

        using var created = JsonDocument.Parse(await response.Content.ReadAsStringAsync(token));
        await ConnectSocketAsync(new Uri(created.RootElement.GetProperty("wsUrl").GetString()!), token);
    }

    protected override string StopMessage() => "{\"type\":\"hangup\",\"payload\":{}}";

    protected override List<string>? TakeControls(int sequence)
    {
        List<string>? controls = null;
        while (_controls.TryDequeue(out var control))
        {
            (controls ??= []).Add(control);
        }

        if (sequence > 0 && sequence % PlaybackEveryFrames == 0 && Playback(interrupted: false) is { } report)
        {
            (controls ??= []).Add(report);
        }

        return controls;
    }

    protected override int WriteFrame(byte[] target, int sequence)
    {
        var span = target.AsSpan();
        var n = Literal(span, "{\"type\":\"audio\",\"payload\":{\"audio\":\""u8);
        FrameId.Write(_payload, State.Index, sequence);
        Base64.EncodeToUtf8(_payload, span[n..], out _, out var encoded);
        n += encoded;
        n += Literal(span[n..], "\",\"sampleRate\":24000}}"u8);
        return n;
    }

    protected override void Handle(ReadOnlySpan<byte> message, long arrived)
    {
        Scan(message, out var type, out var itemId, out var audio);
        if (type.SequenceEqual("audio"u8))
        {
            lock (_gate)
            {
                if (!itemId.SequenceEqual(_itemUtf8))
                {
                    _itemUtf8 = itemId.ToArray();
                    _item = Encoding.UTF8.GetString(itemId);
                    _itemBytes = 0;
                }

                _itemBytes += audio.Length / 4 * 3;
            }

            OnAgentAudio(audio, arrived);
        }
        else if (type.SequenceEqual("interrupt"u8))
        {
            OnClear(arrived);
            if (Playback(interrupted: true) is { } answer)
            {
                _controls.Enqueue(answer);
            }
        }
    }

    /// <summary>The SDK's <c>playback</c> report for the newest agent item (48 bytes of PCM16 at 24 kHz per ms).</summary>
    private string? Playback(bool interrupted)
    {
        lock (_gate)
        {
            return _item is null ? null
                : $"{{\"type\":\"playback\",\"payload\":{{\"itemId\":\"{_item}\",\"playedMs\":{_itemBytes / 48}{(interrupted ? ",\"interrupted\":true" : "")}}}}}";
        }
    }

    /// <summary>Top-level <c>type</c>, and <c>payload.itemId</c> and <c>payload.audio</c>, in one pass (none of them is escaped).</summary>
    private static void Scan(ReadOnlySpan<byte> json, out ReadOnlySpan<byte> type, out ReadOnlySpan<byte> itemId, out ReadOnlySpan<byte> audio)
    {
        type = default;
        itemId = default;
        audio = default;
        var reader = new Utf8JsonReader(json);
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.PropertyName)
                {
                    continue;
                }

                var depth = reader.CurrentDepth;
                var isType = depth == 1 && reader.ValueTextEquals("type"u8);
                var isItem = depth == 2 && reader.ValueTextEquals("itemId"u8);
                var isAudio = depth == 2 && reader.ValueTextEquals("audio"u8);
                var isPayload = depth == 1 && reader.ValueTextEquals("payload"u8);
                if (!reader.Read())
                {
                    return;
                }

                if (reader.TokenType == JsonTokenType.String)
                {
                    if (isType)
                    {
                        type = reader.ValueSpan;
                    }
                    else if (isItem)
                    {
                        itemId = reader.ValueSpan;
                    }
                    else if (isAudio)
                    {
                        audio = reader.ValueSpan;
                    }
                }
                else if (!isPayload && reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
        }
    }
}
