using Switchboard.Audio;
using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Calls;
using Switchboard.Transport;

namespace Switchboard.Tests.Calls.Harness;

/// <summary>
/// A leg whose media the backend holds (the SIP connector's shape) over a <see cref="FakeCallerLeg"/>: everything is the
/// inner fake's, but the leg answers the call itself (recording the session) and names the agent leg to attach to.
/// </summary>
internal sealed class FakeRemoteLeg(FakeCallerLeg inner) : IRemoteMediaLeg
{
    public static readonly RealtimeEndpoint Sideband = new(new Uri("wss://connector.example/v1/realtime?call_id=rtc_harness"), [], "openai") { Model = "gpt-realtime" };

    public FakeCallerLeg Inner { get; } = inner;

    /// <summary>What the answer returns; a success with <see cref="Sideband"/> unless the test says otherwise.</summary>
    public CallControlResult AnswerResult { get; set; } = new(CallControlStatus.Done, "harness: accepted", 200);

    /// <summary>The sessions the bridge answered with.</summary>
    public List<RealtimeSessionSettings> Answers { get; } = [];

    public Task<RemoteAnswer> AnswerAsync(RealtimeSessionSettings session, CancellationToken cancellationToken)
    {
        Answers.Add(session);
        return Task.FromResult(new RemoteAnswer(AnswerResult, AnswerResult.Succeeded ? Sideband with { Model = string.IsNullOrEmpty(session.Model) ? "gpt-realtime" : session.Model } : null));
    }

    public string Channel => "sip";

    public string LostEndReason => Inner.LostEndReason;

    public AudioFormat Format => Inner.Format;

    public CallerLegCapabilities Capabilities => Inner.Capabilities;

    public DateTimeOffset? ExpiresAt => Inner.ExpiresAt;

    public Task<CallerLegStart> StartAsync(string callId, CancellationToken cancellationToken) => Inner.StartAsync(callId, cancellationToken);

    public ValueTask OnAdmittedAsync(CancellationToken cancellationToken) => Inner.OnAdmittedAsync(cancellationToken);

    public (int Code, string Reason) CloseFor(string endReason, string text) => Inner.CloseFor(endReason, text);

    public ValueTask<ReceiveStatus> ReceiveAsync(CancellationToken cancellationToken) => Inner.ReceiveAsync(cancellationToken);

    public CallerFrameKind TryReadFrame(ReceiveStatus status, out CallerFrame frame) => Inner.TryReadFrame(status, out frame);

    public ValueTask RunPendingAsync(CancellationToken cancellationToken) => Inner.RunPendingAsync(cancellationToken);

    public ValueTask<bool> SendAudioAsync(string itemId, ReadOnlyMemory<byte> audio, bool isBase64, CancellationToken cancellationToken) =>
        Inner.SendAudioAsync(itemId, audio, isBase64, cancellationToken);

    public ValueTask AgentAudioDoneAsync(string itemId, long generatedMs, CancellationToken cancellationToken) => Inner.AgentAudioDoneAsync(itemId, generatedMs, cancellationToken);

    public string? UnplayedItem => Inner.UnplayedItem;

    public ValueTask<ClearedPlayout> ClearAsync(string? itemId, string reason, long knownHeardMs, CancellationToken cancellationToken) =>
        Inner.ClearAsync(itemId, reason, knownHeardMs, cancellationToken);

    public long EstimateHeard(string itemId) => Inner.EstimateHeard(itemId);

    public Task WaitForPlayoutAsync(TimeSpan cap, CancellationToken cancellationToken) => Inner.WaitForPlayoutAsync(cap, cancellationToken);

    public ValueTask ShowStateAsync(string state, CancellationToken cancellationToken) => Inner.ShowStateAsync(state, cancellationToken);

    public ValueTask ShowTranscriptAsync(string role, string text, bool final, string itemId, long? heardMs, CancellationToken cancellationToken) =>
        Inner.ShowTranscriptAsync(role, text, final, itemId, heardMs, cancellationToken);

    public ValueTask ShowErrorAsync(string code, string message, string? backendCode, CancellationToken cancellationToken) =>
        Inner.ShowErrorAsync(code, message, backendCode, cancellationToken);

    public Task<string> RunActionAsync(string callId, string name, string argumentsJson, CancellationToken cancellationToken) =>
        Inner.RunActionAsync(callId, name, argumentsJson, cancellationToken);

    public Task<string?> HangUpAsync(CancellationToken cancellationToken) => Inner.HangUpAsync(cancellationToken);

    public Task<CallControlResult> TransferAsync(string to, string? callerId, CancellationToken cancellationToken) => Inner.TransferAsync(to, callerId, cancellationToken);

    public Task CloseAsync(int code, string reason) => Inner.CloseAsync(code, reason);

    public void DescribeStart(IDictionary<string, string> data) => Inner.DescribeStart(data);

    public ValueTask DisposeAsync() => Inner.DisposeAsync();
}
