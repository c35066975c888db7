using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Switchboard.IntegrationTests.Simulation;

/// <summary>One carrier connection as the fake gateway sees it: what arrived (and when, in wall ms), plus helpers to answer.</summary>
internal sealed class FakeGatewaySession
{
    private readonly WebSocket _socket;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<CarrierMessage> _received = [];
    private readonly Lock _lock = new();

    public FakeGatewaySession(HttpContext context, WebSocket socket)
    {
        _socket = socket;
        Path = context.Request.Path.Value ?? string.Empty;
        Query = context.Request.QueryString.Value ?? string.Empty;
        Headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
    }

    public string Path { get; }

    public string Query { get; }

    public Dictionary<string, string> Headers { get; }

    public TaskCompletionSource Finished { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Exception? Error { get; set; }

    /// <summary>Wall milliseconds since the connection was accepted.</summary>
    public double NowMs => _clock.Elapsed.TotalMilliseconds;

    public IReadOnlyList<CarrierMessage> Received
    {
        get
        {
            lock (_lock)
            {
                return [.. _received];
            }
        }
    }

    /// <summary>The next text message, or null once the carrier closed (the close is answered).</summary>
    public async Task<CarrierMessage?> ReceiveAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 16];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await _socket.ReceiveAsync(buffer, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                if (_socket.State == WebSocketState.CloseReceived)
                {
                    await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", cancellationToken);
                }

                return null;
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                break;
            }
        }

        var text = Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
        JsonElement? json = null;
        try
        {
            using var document = JsonDocument.Parse(text);
            json = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            // Left null: negative tests send text that is not JSON.
        }

        var received = new CarrierMessage(NowMs, text, json);
        lock (_lock)
        {
            _received.Add(received);
        }

        return received;
    }

    /// <summary>Receives until the carrier sends an event called <paramref name="eventName"/>.</summary>
    public async Task<CarrierMessage> ReceiveUntilAsync(string eventName, CancellationToken cancellationToken)
    {
        while (await ReceiveAsync(cancellationToken) is { } message)
        {
            if (message.Event == eventName)
            {
                return message;
            }
        }

        throw new InvalidOperationException($"the carrier closed before sending '{eventName}'");
    }

    /// <summary>Receives everything until the carrier closes.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        while (await ReceiveAsync(cancellationToken) is not null)
        {
        }
    }

    /// <summary>Sends one text message (call from the session's script only: one send at a time).</summary>
    public Task SendAsync(string json, CancellationToken cancellationToken = default) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, cancellationToken);

    public Task SendMediaAsync(ReadOnlySpan<byte> payload, string? streamSid) =>
        SendAsync(streamSid is null
            ? $$$"""{"event":"media","media":{"payload":"{{{Convert.ToBase64String(payload)}}}"}}"""
            : $$$"""{"event":"media","streamSid":"{{{streamSid}}}","media":{"payload":"{{{Convert.ToBase64String(payload)}}}"}}""");

    /// <summary>Sends <paramref name="audio"/> as consecutive 20 ms (160-byte) media messages.</summary>
    public async Task SendFramesAsync(byte[] audio, string? streamSid, int frameBytes = 160)
    {
        for (var offset = 0; offset < audio.Length; offset += frameBytes)
        {
            await SendMediaAsync(audio.AsSpan(offset, Math.Min(frameBytes, audio.Length - offset)), streamSid);
        }
    }

    public Task SendMarkAsync(string name, string? streamSid) =>
        SendAsync(streamSid is null
            ? $$$"""{"event":"mark","mark":{"name":"{{{name}}}"}}"""
            : $$$"""{"event":"mark","streamSid":"{{{streamSid}}}","mark":{"name":"{{{name}}}"}}""");

    public Task SendClearAsync(string? streamSid) =>
        SendAsync(streamSid is null ? """{"event":"clear"}""" : $$$"""{"event":"clear","streamSid":"{{{streamSid}}}"}""");

    public Task CloseAsync(WebSocketCloseStatus status, string description, CancellationToken cancellationToken) =>
        _socket.CloseOutputAsync(status, description, cancellationToken);
}
