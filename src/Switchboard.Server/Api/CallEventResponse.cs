using System.Text.Json.Serialization;
using Switchboard.Journal;

namespace Switchboard.Server.Api;

/// <summary>One stored call event; fields that do not apply to its <see cref="Type"/> are omitted.</summary>
internal sealed record CallEventResponse
{
    /// <summary>Order within the call, from 1.</summary>
    public required long Sequence { get; init; }

    public required DateTimeOffset At { get; init; }

    /// <summary><c>CallStarted</c>, <c>CallerTurn</c>, <c>AgentTurn</c>, <c>BargeIn</c>, <c>Dtmf</c>, <c>CallEnded</c>, …</summary>
    public required string Type { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Role { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Text { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ItemId { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Interrupted { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? HeardMs { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? GeneratedMs { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Digit { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Reason { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Detail { get; init; }

    /// <summary>Free-form fields: carrier ids, formats, usage counters.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, string>? Data { get; init; }

    public static CallEventResponse From(CallEvent e) => new()
    {
        Sequence = e.Sequence,
        At = e.At,
        Type = e.Type.ToString(),
        Role = e.Role,
        Text = e.Text,
        ItemId = e.ItemId,
        Interrupted = e.Interrupted,
        HeardMs = e.HeardMs,
        GeneratedMs = e.GeneratedMs,
        Digit = e.Digit,
        Reason = e.Reason,
        Detail = e.Detail,
        Data = e.Data,
    };
}
