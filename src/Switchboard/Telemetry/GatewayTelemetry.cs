using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Switchboard.Agents;
using Switchboard.Journal;

namespace Switchboard.Telemetry;

/// <summary>
/// The gateway's metrics (one <see cref="Meter"/> named <see cref="TelemetryNames.Source"/>) and its activity source. Call
/// metrics come from one place: <see cref="Observe"/> sees every <see cref="CallEvent"/> the journal is given (admission's
/// refusals, every channel's calls), through <see cref="ObservedCallJournal"/>. What the journal does not hold — backend
/// connect time, a response's duration, a tool's duration, webhook attempts, rate-limit refusals — is recorded by the
/// one piece of code that sees it (<see cref="CallTrace"/> for the engine, the webhook dispatcher, the rate limiter).
/// Nothing here runs per audio frame: histograms are recorded per turn, barge-in, call or request.
/// </summary>
internal sealed class GatewayTelemetry : IDisposable
{
    /// <summary>The gateway's spans: calls, agent turns, user speech, tools, backend connects, webhook deliveries.</summary>
    public static readonly ActivitySource Source = new(TelemetryNames.Source);

    private static readonly double[] MicroLatencyBuckets = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25];
    private static readonly double[] ResponseBuckets = [0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 20];
    private static readonly double[] ConnectBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private static readonly double[] CallBuckets = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 3600];
    private static readonly double[] RequestBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    /// <summary>PROTOCOLS.md §7.2: 0.01 s doubling to 81.92 s.</summary>
    private static readonly double[] OperationBuckets = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];

    /// <summary>PROTOCOLS.md §7.2: 1, 4, 16 … 67108864 tokens.</summary>
    private static readonly double[] TokenBuckets = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly ConcurrentDictionary<string, LiveCall> _live = new(StringComparer.Ordinal);
    private long _webhookQueueDepth;

    /// <summary>The most recent refusals (newest last), for the operations page; at most <see cref="RecentRefusalCount"/>.</summary>
    private readonly ConcurrentQueue<RecentRefusal> _refused = new();

    /// <summary>How many recent refusals are kept.</summary>
    public const int RecentRefusalCount = 50;

    private readonly UpDownCounter<long> _activeCalls;
    private readonly Counter<long> _callsStarted;
    private readonly Counter<long> _callsEnded;
    private readonly Histogram<double> _callDuration;
    private readonly Counter<long> _refusals;
    private readonly Histogram<double> _addedLatency;
    private readonly Histogram<double> _bargeInLatency;
    private readonly Histogram<double> _firstAudio;
    private readonly Histogram<double> _responseLatency;
    private readonly Histogram<double> _connectDuration;
    private readonly Counter<long> _connectFailures;
    private readonly Counter<long> _toolCalls;
    private readonly Histogram<double> _toolDuration;
    private readonly Counter<long> _inputTokens;
    private readonly Counter<long> _outputTokens;
    private readonly Counter<long> _cachedTokens;
    private readonly Histogram<long> _tokenUsage;
    private readonly Histogram<double> _operationDuration;
    private readonly Histogram<double> _invokeAgentDuration;
    private readonly Counter<double> _cost;
    private readonly Counter<long> _webhookDeliveries;
    private readonly Histogram<double> _webhookDuration;
    private readonly Counter<long> _rateLimited;

    /// <summary>Creates the instruments on a meter of <paramref name="meters"/> (the host's), or on a meter of its own.</summary>
    public GatewayTelemetry(IMeterFactory? meters = null)
    {
        _ownsMeter = meters is null;
        _meter = meters?.Create(TelemetryNames.Source) ?? new Meter(TelemetryNames.Source);
        var m = _meter;
        _activeCalls = m.CreateUpDownCounter<long>("switchboard.calls.active", "{call}", "Calls in progress on this node, by channel.");
        _callsStarted = m.CreateCounter<long>("switchboard.calls.started", "{call}", "Calls admitted and started, by channel.");
        _callsEnded = m.CreateCounter<long>("switchboard.calls.ended", "{call}", "Calls ended, by channel and end reason.");
        _callDuration = Histogram("switchboard.call.duration", "s", "Length of ended calls, by channel and end reason.", CallBuckets);
        _refusals = m.CreateCounter<long>("switchboard.calls.refused", "{call}", "Calls admission refused (busy, budget_exhausted, draining, endpoint_rejected), by channel and reason.");
        _addedLatency = Histogram("switchboard.gateway.added_latency", "s",
            "Time the gateway adds to audio: inbound the mean per agent turn of caller frame received to backend append sent; outbound an agent item's first delta received to its audio sent.", MicroLatencyBuckets);
        _bargeInLatency = Histogram("switchboard.barge_in.latency", "s", "Barge-in inside the gateway: the trigger received to the stop handed to the caller's socket.", MicroLatencyBuckets);
        _firstAudio = Histogram("switchboard.agent.time_to_first_audio", "s", "From a call's start to the first agent audio sent to the caller.", ResponseBuckets);
        _responseLatency = Histogram("switchboard.agent.response_latency", "s", "From the end of the caller's speech (the backend's speech_stopped) to the agent's first audio sent to the caller.", ResponseBuckets);
        _connectDuration = Histogram("switchboard.backend.connect.duration", "s", "Time to open the agent leg (the realtime backend's WebSocket), by provider and outcome.", ConnectBuckets);
        _connectFailures = m.CreateCounter<long>("switchboard.backend.connect.failures", "{connection}", "Agent legs that could not be opened, by provider.");
        _toolCalls = m.CreateCounter<long>("switchboard.tool.calls", "{call}", "Tool calls, by kind (tool, browser_action) and outcome.");
        _toolDuration = Histogram("gen_ai.execute_tool.duration", "s", "Tool execution time, by kind and outcome.", RequestBuckets);
        _inputTokens = m.CreateCounter<long>("gen_ai.client.inference.usage.input_tokens", "{token}", "Input tokens used, by model and modality.");
        _outputTokens = m.CreateCounter<long>("gen_ai.client.inference.usage.output_tokens", "{token}", "Output tokens used, by model and modality.");
        _cachedTokens = m.CreateCounter<long>("gen_ai.client.inference.usage.cache_read.input_tokens", "{token}", "Input tokens read from the backend's cache, by model.");
        _tokenUsage = m.CreateHistogram<long>("gen_ai.client.token.usage", "{token}", "Tokens per response (older layout), by model and token type.", tags: null,
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = TokenBuckets.Select(b => (long)b).ToArray() });
        _operationDuration = Histogram("gen_ai.client.operation.duration", "s", "Duration of one realtime response (response.created to response.done), by model.", OperationBuckets);
        _invokeAgentDuration = Histogram("gen_ai.invoke_agent.duration", "s", "Duration of one agent turn, by end reason.", OperationBuckets);
        _cost = m.CreateCounter<double>("switchboard.gen_ai.cost_usd", "{USD}", "Estimated model cost of ended calls, by model (calls whose model has a price).");
        _webhookDeliveries = m.CreateCounter<long>("switchboard.webhook.deliveries", "{attempt}", "Webhook delivery attempts, by outcome (delivered, retrying, failed).");
        _webhookDuration = Histogram("switchboard.webhook.delivery.duration", "s", "Time of one webhook delivery attempt, by outcome.", RequestBuckets);
        m.CreateObservableGauge("switchboard.webhook.queue.depth", () => Volatile.Read(ref _webhookQueueDepth), "{delivery}",
            "Webhook deliveries waiting in the outbox (pending or retrying), as the dispatcher last counted them.");
        _rateLimited = m.CreateCounter<long>("switchboard.rate_limit.refusals", "{request}", "Requests refused by a rate limit (429), by limit.");
    }

    /// <summary>Created on first use only: a host with its own instruments must not also publish a second, idle set.</summary>
    private static readonly Lazy<GatewayTelemetry> LazyDefault = new(() => new GatewayTelemetry());

    /// <summary>The instruments of hosts that bring none (the hermetic bridge tests, benchmarks): a meter of its own.</summary>
    public static GatewayTelemetry Default => LazyDefault.Value;

    /// <summary>The meter (tests listen to it).</summary>
    public Meter Meter => _meter;

    /// <summary>The provider name of the GenAI conventions for a backend kind.</summary>
    public static string Provider(string? backendKind) => backendKind switch
    {
        "openai" => "openai",
        "azure" => "azure.ai.openai",
        "local" => "switchboard.local",
        null or "" or "(none)" => "unknown",
        _ => backendKind,
    };

    /// <summary>
    /// Counts what a journal event says: starts, ends, refusals, barge-ins, latency budgets, tool calls, token usage. Called
    /// for every event appended to the journal; cheap, and never throws into the caller.
    /// </summary>
    public void Observe(CallEvent e)
    {
        switch (e.Type)
        {
            case CallEventType.CallStarted:
                var channel = Data(e, CallEventKeys.Carrier) ?? "unknown";
                var live = new LiveCall(channel, Data(e, "model") ?? "unknown", Provider(Data(e, "backend")), e.At)
                {
                    Caller = NumberRedaction.Apply(Data(e, CallEventKeys.From), Data(e, "privacy_caller_number") ?? NumberRedaction.Last4),
                };
                _live[e.CallId] = live;
                _activeCalls.Add(1, new KeyValuePair<string, object?>(TelemetryNames.Channel, channel));
                _callsStarted.Add(1, new KeyValuePair<string, object?>(TelemetryNames.Channel, channel));
                break;
            case CallEventType.CallEnded:
                if (_live.TryRemove(e.CallId, out var ended))
                {
                    var reason = e.Reason ?? "unknown";
                    _activeCalls.Add(-1, new KeyValuePair<string, object?>(TelemetryNames.Channel, ended.Channel));
                    var tags = new TagList { { TelemetryNames.Channel, ended.Channel }, { TelemetryNames.EndReason, reason } };
                    _callsEnded.Add(1, tags);
                    if (Number(e, CallEventKeys.DurationMs) is { } ms)
                    {
                        _callDuration.Record(ms / 1000, tags);
                    }

                    if (Number(e, CallEventKeys.CostUsd) is { } cost)
                    {
                        _cost.Add(cost, new KeyValuePair<string, object?>(TelemetryNames.RequestModel, ended.Model),
                            new KeyValuePair<string, object?>(TelemetryNames.ProviderName, ended.Provider));
                    }
                }

                break;
            case CallEventType.CallRefused:
                _refused.Enqueue(new RecentRefusal(e.At, Data(e, CallEventKeys.Carrier) ?? "unknown", e.Reason ?? "unknown", e.Detail,
                    Guid.TryParse(Data(e, CallEventKeys.TeamId), out var team) ? team : null, Data(e, "endpoint")));
                while (_refused.Count > RecentRefusalCount && _refused.TryDequeue(out _))
                {
                }

                _refusals.Add(1, new KeyValuePair<string, object?>(TelemetryNames.Channel, Data(e, CallEventKeys.Carrier) ?? "unknown"),
                    new KeyValuePair<string, object?>(TelemetryNames.RefusalReason, e.Reason ?? "unknown"));
                break;
            case CallEventType.BargeIn when e.Reason != "call_ended" && Number(e, "clear_us") is { } clearUs:
                _bargeInLatency.Record(clearUs / 1_000_000, new KeyValuePair<string, object?>(TelemetryNames.Channel, ChannelOf(e.CallId)));
                break;
            case CallEventType.ResponseTiming:
                ObserveTiming(e);
                break;
            case CallEventType.ToolCall:
                _toolCalls.Add(1, new KeyValuePair<string, object?>(TelemetryNames.ToolKind, Data(e, "kind") ?? "tool"),
                    new KeyValuePair<string, object?>(TelemetryNames.Outcome, e.Reason ?? "unknown"));
                break;
            case CallEventType.Usage:
                ObserveUsage(e);
                break;
        }
    }

    /// <summary>The agent leg was opened (or not) in <paramref name="elapsed"/>.</summary>
    public void BackendConnected(string provider, TimeSpan elapsed, bool ok)
    {
        var providerTag = new KeyValuePair<string, object?>(TelemetryNames.ProviderName, provider);
        _connectDuration.Record(elapsed.TotalSeconds, providerTag, new KeyValuePair<string, object?>(TelemetryNames.Outcome, ok ? "ok" : "failed"));
        if (!ok)
        {
            _connectFailures.Add(1, providerTag);
        }
    }

    /// <summary>A realtime response ended after <paramref name="elapsed"/> with <paramref name="status"/> (completed, cancelled, failed, incomplete).</summary>
    public void ResponseEnded(string provider, string model, TimeSpan elapsed, string status, string endReason)
    {
        var tags = new TagList
        {
            { TelemetryNames.OperationName, TelemetryNames.RealtimeInference },
            { TelemetryNames.ProviderName, provider },
            { TelemetryNames.RequestModel, model },
        };
        if (status is "failed" or "incomplete")
        {
            tags.Add(TelemetryNames.ErrorType, status);
        }

        _operationDuration.Record(elapsed.TotalSeconds, tags);
        _invokeAgentDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>(TelemetryNames.OperationName, "invoke_agent"),
            new KeyValuePair<string, object?>(TelemetryNames.InvocationEndReason, endReason));
    }

    /// <summary>A tool ran for <paramref name="elapsed"/> and ended with <paramref name="outcome"/>.</summary>
    public void ToolRan(string kind, string outcome, TimeSpan elapsed) =>
        _toolDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>(TelemetryNames.ToolKind, kind),
            new KeyValuePair<string, object?>(TelemetryNames.Outcome, outcome));

    /// <summary>A webhook attempt ended: <c>delivered</c>, <c>retrying</c> or <c>failed</c> (no attempts left).</summary>
    public void WebhookAttempted(string outcome, TimeSpan elapsed)
    {
        var tag = new KeyValuePair<string, object?>(TelemetryNames.Outcome, outcome);
        _webhookDeliveries.Add(1, tag);
        _webhookDuration.Record(elapsed.TotalSeconds, tag);
    }

    /// <summary>How many deliveries wait in the outbox, as the dispatcher last counted them.</summary>
    public void WebhookQueueDepth(long depth) => Volatile.Write(ref _webhookQueueDepth, depth);

    /// <summary>A request was refused by the rate limit named <paramref name="limit"/> (its configuration name: bounded).</summary>
    public void RateLimited(string limit) => _rateLimited.Add(1, new KeyValuePair<string, object?>(TelemetryNames.RateLimit, limit));

    /// <summary>The recent refusals, oldest first.</summary>
    public IReadOnlyList<RecentRefusal> RecentRefusals => [.. _refused];

    /// <summary>What the operations page shows of a live call: its caller (redacted) and state; null when it is not live here.</summary>
    public (string? Caller, string State)? LiveView(string callId) => _live.TryGetValue(callId, out var call) ? (call.Caller, call.State) : null;

    /// <summary>
    /// The agent's state in a live call as the engine sees it: <c>listening</c>, <c>thinking</c>, <c>speaking</c>,
    /// <c>tool_running</c> (set by <see cref="CallTrace"/>; first audio by <see cref="Observe"/>).
    /// </summary>
    public void SetState(string callId, string state)
    {
        if (_live.TryGetValue(callId, out var call))
        {
            call.State = state;
        }
    }

    /// <summary>The channel of a live call ("unknown" once it has ended).</summary>
    public string ChannelOf(string callId) => _live.TryGetValue(callId, out var call) ? call.Channel : "unknown";

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private void ObserveTiming(CallEvent e)
    {
        if (!_live.TryGetValue(e.CallId, out var call))
        {
            return;
        }

        var channel = new KeyValuePair<string, object?>(TelemetryNames.Channel, call.Channel);
        if (Number(e, "gateway_out_us") is { } outUs)
        {
            _addedLatency.Record(outUs / 1_000_000, channel, new KeyValuePair<string, object?>(TelemetryNames.Direction, "outbound"));
            if (Number(e, "backend_ms") is { } backendMs)
            {
                _responseLatency.Record((backendMs / 1000) + (outUs / 1_000_000), channel);
            }
        }

        // The journal's inbound figures are the call's running mean and frame count: the mean of this turn's frames is
        // what they add since the previous report (nothing when no caller audio came in between).
        if (Number(e, "frames_in") is { } frames && Number(e, "gateway_in_mean_us") is { } meanUs && frames > call.FramesIn)
        {
            var totalUs = meanUs * frames;
            var turnMeanUs = Math.Max(0, (totalUs - call.TotalInUs) / (frames - call.FramesIn));
            call.FramesIn = frames;
            call.TotalInUs = totalUs;
            _addedLatency.Record(turnMeanUs / 1_000_000, channel, new KeyValuePair<string, object?>(TelemetryNames.Direction, "inbound"));
        }

        call.State = "speaking";
        if (!call.FirstAudioSeen)
        {
            call.FirstAudioSeen = true;
            _firstAudio.Record(Math.Max(0, (e.At - call.StartedAt).TotalSeconds), channel);
        }
    }

    private void ObserveUsage(CallEvent e)
    {
        var call = _live.TryGetValue(e.CallId, out var found) ? found : null;
        var model = call?.Model ?? "unknown";
        var provider = call?.Provider ?? "unknown";
        var input = (long)(Number(e, "input_tokens") ?? 0);
        var output = (long)(Number(e, "output_tokens") ?? 0);
        var inputAudio = (long)(Number(e, "input_audio_tokens") ?? 0);
        var outputAudio = (long)(Number(e, "output_audio_tokens") ?? 0);
        var tags = new TagList
        {
            { TelemetryNames.OperationName, TelemetryNames.RealtimeInference },
            { TelemetryNames.ProviderName, provider },
            { TelemetryNames.RequestModel, model },
        };
        AddTokens(_inputTokens, inputAudio, tags, "audio");
        AddTokens(_inputTokens, Math.Max(0, input - inputAudio), tags, "text");
        AddTokens(_outputTokens, outputAudio, tags, "audio");
        AddTokens(_outputTokens, Math.Max(0, output - outputAudio), tags, "text");
        if (Number(e, "cached_tokens") is > 0 and var cached)
        {
            _cachedTokens.Add((long)cached, tags);
        }

        var inputTags = tags;
        inputTags.Add(TelemetryNames.TokenType, "input");
        _tokenUsage.Record(input, inputTags);
        var outputTags = tags;
        outputTags.Add(TelemetryNames.TokenType, "output");
        _tokenUsage.Record(output, outputTags);
    }

    private static void AddTokens(Counter<long> counter, long tokens, TagList tags, string modality)
    {
        if (tokens <= 0)
        {
            return;
        }

        tags.Add(TelemetryNames.TokenModality, modality);
        counter.Add(tokens, tags);
    }

    private Histogram<double> Histogram(string name, string unit, string description, double[] buckets) =>
        _meter.CreateHistogram<double>(name, unit, description, tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = buckets });

    private static string? Data(CallEvent e, string key) => e.Data is { } data && data.TryGetValue(key, out var value) ? value : null;

    private static double? Number(CallEvent e, string key) =>
        Data(e, key) is { } text && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>What the metrics remember of a live call between its events.</summary>
    private sealed class LiveCall(string channel, string model, string provider, DateTimeOffset startedAt)
    {
        public string Channel { get; } = channel;

        public string Model { get; } = model;

        public string Provider { get; } = provider;

        public DateTimeOffset StartedAt { get; } = startedAt;

        public bool FirstAudioSeen { get; set; }

        /// <summary>The caller's number as the endpoint's privacy policy shows it (last four digits by default).</summary>
        public string? Caller { get; init; }

        /// <summary>What the agent is doing (see <see cref="SetState"/>); written and read without a lock (a reference).</summary>
        public volatile string State = "listening";

        /// <summary>Caller frames and their total gateway time (µs) at the previous latency report.</summary>
        public double FramesIn { get; set; }

        public double TotalInUs { get; set; }
    }
}

/// <summary>A call admission refused, as the operations page lists it (no numbers).</summary>
internal sealed record RecentRefusal(DateTimeOffset At, string Channel, string Reason, string? Detail, Guid? TeamId, string? Endpoint);
