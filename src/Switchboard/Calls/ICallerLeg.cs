using Switchboard.Audio;
using Switchboard.Journal;
using Switchboard.Transport;

namespace Switchboard.Calls;

/// <summary>
/// The caller side of a call, whatever the channel (carrier media stream, browser session, a leg without media such as
/// the OpenAI SIP connector). It turns its wire protocol into <see cref="CallerFrame"/>s and back, and answers the one
/// question barge-in needs: how much of the agent's audio has the caller heard? The <see cref="CallBridge"/> owns what
/// the frames mean; a leg never sees the agent's protocol.
/// </summary>
/// <remarks>
/// Two loops of the bridge use a leg at once: the caller loop (<see cref="StartAsync"/>, <see cref="ReceiveAsync"/>,
/// <see cref="TryReadFrame"/>, <see cref="RunPendingAsync"/>) and the backend loop (agent audio, clears, transcripts).
/// Sends are serialized by the leg.
/// </remarks>
internal interface ICallerLeg : IAsyncDisposable
{
    /// <summary>The channel's name in call records and logs: <c>twilio</c>, <c>telnyx</c>, <c>sip</c>, <c>websocket</c>.</summary>
    string Channel { get; }

    /// <summary>The end reason when the caller's side goes away without hanging up (<c>carrier_closed</c>, <c>client_closed</c>).</summary>
    string LostEndReason { get; }

    /// <summary>The audio format the caller sends and hears; valid after <see cref="StartAsync"/>.</summary>
    AudioFormat Format { get; }

    /// <summary>What this leg can do; valid after <see cref="StartAsync"/>.</summary>
    CallerLegCapabilities Capabilities { get; }

    /// <summary>
    /// Waits for the call to begin (a carrier's <c>start</c> frame; a browser leg is admitted before it connects and
    /// starts at once). Without <see cref="CallerLegStart.Info"/> it never began: the leg has closed itself and says why.
    /// </summary>
    Task<CallerLegStart> StartAsync(string callId, CancellationToken cancellationToken);

    /// <summary>When the caller's right to talk runs out (a session's expiry), if it does; the bridge ends the call then.</summary>
    DateTimeOffset? ExpiresAt { get; }

    /// <summary>Admitted: the leg greets its side (a browser's <c>connected</c> status).</summary>
    ValueTask OnAdmittedAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The close code and reason this leg's wire uses when the call ends for <paramref name="endReason"/> (a
    /// <see cref="CallEndReason"/>); <paramref name="text"/> is the bridge's own wording, used where the leg has none.
    /// </summary>
    (int Code, string Reason) CloseFor(string endReason, string text);

    /// <summary>Receives the next caller message; then <see cref="TryReadFrame"/> reads it synchronously.</summary>
    ValueTask<ReceiveStatus> ReceiveAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Reads what the last receive brought (spans point into the receive buffer and never cross an await). Messages only
    /// the leg cares about (marks, playback reports, pings) are consumed here and read as <see cref="CallerFrameKind.None"/>
    /// or <see cref="CallerFrameKind.Pending"/>.
    /// </summary>
    CallerFrameKind TryReadFrame(ReceiveStatus status, out CallerFrame frame);

    /// <summary>Sends what <see cref="TryReadFrame"/> queued (<see cref="CallerFrameKind.Pending"/>): replies, errors, results.</summary>
    ValueTask RunPendingAsync(CancellationToken cancellationToken);

    /// <summary>Plays agent audio of <paramref name="itemId"/> in <see cref="Format"/>: base64 text or raw bytes. False when the leg is gone.</summary>
    ValueTask<bool> SendAudioAsync(string itemId, ReadOnlyMemory<byte> audio, bool isBase64, CancellationToken cancellationToken);

    /// <summary>The backend finished generating the item's audio (<paramref name="generatedMs"/> long).</summary>
    ValueTask AgentAudioDoneAsync(string itemId, long generatedMs, CancellationToken cancellationToken);

    /// <summary>The agent item whose audio the caller has not finished hearing, if any.</summary>
    string? UnplayedItem { get; }

    /// <summary>
    /// Stops playback at once (carrier <c>clear</c>, browser <c>interrupt</c>), returns once the stop is sent, and answers
    /// how much of <paramref name="itemId"/> was heard, in ms: at once from a mark ledger, later from a client's report (or the
    /// leg's estimate when the report does not come), or <paramref name="knownHeardMs"/> when the caller said (not -1). With a null item only the stop is sent.
    /// </summary>
    ValueTask<ClearedPlayout> ClearAsync(string? itemId, string reason, long knownHeardMs, CancellationToken cancellationToken);

    /// <summary>How much of <paramref name="itemId"/> has been heard so far, without stopping it (the call is ending).</summary>
    long EstimateHeard(string itemId);

    /// <summary>Waits until everything sent has been heard (or <paramref name="cap"/> passes).</summary>
    Task WaitForPlayoutAsync(TimeSpan cap, CancellationToken cancellationToken);

    /// <summary>Tells the caller's side what the agent is doing (<c>idle</c>, <c>thinking</c>, <c>speaking</c>, <c>listening</c>).</summary>
    ValueTask ShowStateAsync(string state, CancellationToken cancellationToken);

    /// <summary>A transcript piece for a caller that shows text; <paramref name="heardMs"/> is set when an agent turn was cut off.</summary>
    ValueTask ShowTranscriptAsync(string role, string text, bool final, string itemId, long? heardMs, CancellationToken cancellationToken);

    /// <summary>
    /// A message an external chatbot sent into the conversation, for a caller that shows text (stream entry
    /// <paramref name="streamId"/>). Legs that show no text ignore it.
    /// </summary>
    ValueTask ShowChatbotAsync(string itemId, string text, string streamId, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>An error the caller's side should show (<paramref name="code"/> from the session error codes); the call goes on.</summary>
    ValueTask ShowErrorAsync(string code, string message, string? backendCode, CancellationToken cancellationToken);

    /// <summary>Runs a browser action and returns the function output for the model (only with <see cref="CallerLegCapabilities.BrowserActions"/>).</summary>
    Task<string> RunActionAsync(string callId, string name, string argumentsJson, CancellationToken cancellationToken);

    /// <summary>Hangs up at the carrier (when the leg can) before the stream is closed; describes the outcome.</summary>
    Task<string?> HangUpAsync(CancellationToken cancellationToken);

    /// <summary>Transfers the call to <paramref name="to"/> (only with <see cref="CallerLegCapabilities.Transfer"/>).</summary>
    Task<CallControlResult> TransferAsync(string to, string? callerId, CancellationToken cancellationToken);

    /// <summary>Closes the leg with a code and reason (a WebSocket close code for socket legs); at most once takes effect.</summary>
    Task CloseAsync(int code, string reason);

    /// <summary>Adds the leg's own facts (carrier ids, numbers, session, mode, formats) to the call's first journal event.</summary>
    void DescribeStart(IDictionary<string, string> data);
}
