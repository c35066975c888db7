using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Switchboard.Agents;
using Switchboard.Backends.OpenAIRealtime;

namespace Switchboard.Artifacts;

/// <summary>
/// Asks the backend for a short summary of the conversation before its session closes: one out-of-band
/// <c>response.create</c> (<c>conversation: "none"</c>, text only, tagged with <c>metadata</c>), whose events the host's
/// backend loop hands to <see cref="Observe"/> so that they never count as a turn of the conversation. Shared by phone
/// calls and session conversations; the host journals the result.
/// </summary>
internal sealed class CallSummarizer
{
    /// <summary>The <c>metadata</c> entry that marks the summary response.</summary>
    public const string MetadataKey = "switchboard";

    public const string MetadataValue = "summary";

    public const string DefaultInstructions =
        "The conversation is over. Write a short summary of it for the team that follows up: who contacted us, what they wanted, " +
        "what was done or agreed, and anything still open. Two to four plain sentences, no preamble, in the conversation's language.";

    private readonly TaskCompletionSource<CallSummary> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StringBuilder _streamed = new();
    private readonly string _instructions;
    private string? _responseId;
    private string? _final;
    private int _requested;

    public CallSummarizer(SummarySpec spec, TimeSpan timeout)
    {
        _instructions = string.IsNullOrWhiteSpace(spec.Instructions) ? DefaultInstructions : spec.Instructions;
        Timeout = timeout;
    }

    /// <summary>The summarizer for an endpoint, or null when it asks for no summary.</summary>
    public static CallSummarizer? For(AgentSpec spec, TimeSpan timeout) =>
        spec.Summary is { Enabled: true } summary ? new CallSummarizer(summary, timeout) : null;

    public TimeSpan Timeout { get; }

    /// <summary>
    /// Looks at a backend event (backend loop only). True when it belongs to the summary response: the host must not treat
    /// it as part of the conversation (no agent turn, no turn state, no tool calls).
    /// </summary>
    public bool Observe(RealtimeServerEvent? evt)
    {
        if (Volatile.Read(ref _requested) == 0 || evt is null)
        {
            return false;
        }

        switch (evt)
        {
            case ResponseCreatedEvent created when IsTagged(created.Metadata):
                _responseId = created.ResponseId;
                return true;
            case OutputTextEvent text when IsOurs(text.ResponseId):
                if (text.Type is RealtimeServerEventType.OutputTextDelta or RealtimeServerEventType.OutputAudioTranscriptDelta)
                {
                    _streamed.Append(text.Text);
                }
                else
                {
                    _final = text.Text;
                }

                return true;
            case OutputItemEvent item when item.ResponseId is not null && IsOurs(item.ResponseId):
                return true;
            case ResponseDoneEvent done when IsOurs(done.ResponseId) || IsTagged(done.Metadata):
                var summary = string.IsNullOrWhiteSpace(_final) ? _streamed.ToString() : _final;
                _done.TrySetResult(new CallSummary(summary.Trim(), done.ResponseId, done.Status, done.Usage));
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// Sends the request through <paramref name="send"/> and waits (at most <see cref="Timeout"/>) for the summary response
    /// to finish. Null when it could not be sent, did not finish in time, or the call was torn down meanwhile.
    /// </summary>
    public async Task<CallSummary?> RequestAsync(Func<ReadOnlyMemory<byte>, ValueTask<bool>> send, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _requested, 1) == 1)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>(1024);
        WriteRequest(buffer, _instructions);
        try
        {
            if (!await send(buffer.WrittenMemory).ConfigureAwait(false))
            {
                return null;
            }

            return await _done.Task.WaitAsync(Timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException or System.Net.WebSockets.WebSocketException or IOException)
        {
            return null;
        }
    }

    /// <summary>The <c>response.create</c> of the summary.</summary>
    public static void WriteRequest(IBufferWriter<byte> output, string instructions)
    {
        using var w = new Utf8JsonWriter(output);
        w.WriteStartObject();
        w.WriteString("type"u8, "response.create"u8);
        w.WriteString("event_id"u8, "sb_summary"u8);
        w.WriteStartObject("response"u8);
        w.WriteString("conversation"u8, "none"u8);
        w.WriteStartArray("output_modalities"u8);
        w.WriteStringValue("text"u8);
        w.WriteEndArray();
        w.WriteString("instructions"u8, instructions);
        w.WriteStartObject("metadata"u8);
        w.WriteString(MetadataKey, MetadataValue);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>The journal data of a <c>Usage</c> event, as the hosts write it for every response.</summary>
    public static Dictionary<string, string> UsageData(string responseId, RealtimeUsage usage) => new(StringComparer.Ordinal)
    {
        ["response_id"] = responseId,
        ["total_tokens"] = usage.TotalTokens.ToString(CultureInfo.InvariantCulture),
        ["input_tokens"] = usage.InputTokens.ToString(CultureInfo.InvariantCulture),
        ["output_tokens"] = usage.OutputTokens.ToString(CultureInfo.InvariantCulture),
        ["input_audio_tokens"] = usage.InputAudioTokens.ToString(CultureInfo.InvariantCulture),
        ["output_audio_tokens"] = usage.OutputAudioTokens.ToString(CultureInfo.InvariantCulture),
        ["kind"] = "summary",
    };

    private bool IsOurs(string responseId) => _responseId is not null && string.Equals(responseId, _responseId, StringComparison.Ordinal);

    private static bool IsTagged(IReadOnlyDictionary<string, string>? metadata) =>
        metadata is not null && metadata.TryGetValue(MetadataKey, out var value) && value == MetadataValue;
}
