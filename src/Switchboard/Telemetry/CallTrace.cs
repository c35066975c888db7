using System.Diagnostics;
using Switchboard.Agents;
using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Journal;

namespace Switchboard.Telemetry;

/// <summary>
/// One call's spans, driven by the call engine (the one <c>CallBridge</c>, whatever the channel): the call span (made current
/// for the call, so outbound requests of the call carry its <c>traceparent</c>), an <c>invoke_agent</c> span per agent turn
/// (one realtime response) with its end reason, <c>user_speech</c>, <c>execute_tool</c> and the backend connect, and the
/// per-turn metrics only the engine sees (response and tool durations, connect time). Without a listener (no tracing
/// configured) no span is created and only the metrics are recorded. Spans carry no audio, no transcript text and no
/// secrets; the caller's number only as the endpoint's privacy policy shows it (last four digits by default).
/// </summary>
internal sealed class CallTrace
{
    private readonly GatewayTelemetry _telemetry;
    private readonly TimeProvider _time;
    private readonly Activity? _call;
    private readonly Lock _gate = new();
    private string _provider = "unknown";
    private string _model = "unknown";
    private string _agentName = "agent";
    private Activity? _turn;
    private string? _turnResponseId;
    private long _turnStarted;
    private bool _turnInterrupted;
    private Activity? _speech;
    private bool _ended;

    private readonly string _callId;

    private CallTrace(GatewayTelemetry telemetry, TimeProvider time, Activity? call, string callId)
    {
        _callId = callId;
        _telemetry = telemetry;
        _time = time;
        _call = call;
    }

    /// <summary>The call span (null when nothing listens).</summary>
    public Activity? Activity => _call;

    /// <summary>
    /// Starts the call span as a child of the current activity (the inbound request's, which continues a caller's
    /// <c>traceparent</c>), or of <paramref name="parent"/> with a link to the current one (a session continues the trace
    /// of the request that created it), and makes it current for the rest of the calling method and what it starts.
    /// </summary>
    public static CallTrace Start(GatewayTelemetry telemetry, TimeProvider time, string callId, string channel, ActivityContext? parent = null)
    {
        var call = parent is { } context
            ? GatewayTelemetry.Source.StartActivity("call " + channel, ActivityKind.Server, context,
                links: Activity.Current is { } request ? [new ActivityLink(request.Context)] : null)
            : GatewayTelemetry.Source.StartActivity("call " + channel, ActivityKind.Server);
        if (call is not null)
        {
            call.SetTag(TelemetryNames.CallId, callId);
            call.SetTag(TelemetryNames.ConversationId, callId);
            call.SetTag(TelemetryNames.Channel, channel);
        }

        return new CallTrace(telemetry, time, call, callId);
    }

    /// <summary>What a journal event of the call adds to its spans (attributes and span events; never text).</summary>
    public void OnEvent(CallEvent e)
    {
        switch (e.Type)
        {
            case CallEventType.CallStarted:
                _provider = GatewayTelemetry.Provider(Data(e, "backend"));
                _model = Data(e, "model") ?? "unknown";
                _agentName = Data(e, "endpoint") ?? "agent";
                if (_call is { } call)
                {
                    call.SetTag(TelemetryNames.TeamId, Data(e, CallEventKeys.TeamId));
                    call.SetTag(TelemetryNames.EndpointId, Data(e, CallEventKeys.EndpointId));
                    call.SetTag(TelemetryNames.EndpointName, _agentName);
                    call.SetTag(TelemetryNames.CarrierCallId, Data(e, CallEventKeys.CarrierCallId));
                    call.SetTag(TelemetryNames.StreamId, Data(e, CallEventKeys.StreamId));
                    call.SetTag(TelemetryNames.SessionId, Data(e, CallEventKeys.SessionId));
                    call.SetTag(TelemetryNames.Caller, NumberRedaction.Apply(Data(e, CallEventKeys.From), Data(e, "privacy_caller_number") ?? NumberRedaction.Last4));
                    call.SetTag(TelemetryNames.ProviderName, _provider);
                    call.SetTag(TelemetryNames.RequestModel, _model);
                }

                break;
            case CallEventType.CallRefused:
                _call?.SetTag(TelemetryNames.RefusalReason, e.Reason);
                break;
            case CallEventType.BargeIn:
                lock (_gate)
                {
                    if (e.Reason != "call_ended" && _turnResponseId is not null)
                    {
                        _turnInterrupted = true;
                    }
                }

                AddEvent("barge_in", new ActivityTagsCollection
                {
                    ["switchboard.barge_in.trigger"] = e.Reason,
                    ["switchboard.barge_in.heard_ms"] = e.HeardMs,
                    ["switchboard.barge_in.generated_ms"] = e.GeneratedMs,
                    ["switchboard.barge_in.clear_us"] = Data(e, "clear_us"),
                });
                break;
            case CallEventType.Transfer:
                AddEvent("transfer", new ActivityTagsCollection { [TelemetryNames.Outcome] = e.Reason });
                break;
            case CallEventType.LimitWarning:
                AddEvent("limit_warning", new ActivityTagsCollection { ["switchboard.limit.kind"] = e.Reason });
                break;
            case CallEventType.BackendError:
                AddEvent("backend_error", new ActivityTagsCollection { [TelemetryNames.ErrorType] = e.Reason });
                break;
            case CallEventType.HandoffHot:
                AddEvent("handoff_hot", null);
                break;
        }
    }

    /// <summary>Starts the backend connect span (current until disposed); pair with <see cref="Connected"/>.</summary>
    public Activity? StartConnect(RealtimeEndpoint endpoint)
    {
        var connect = GatewayTelemetry.Source.StartActivity("connect " + GatewayTelemetry.Provider(endpoint.Kind), ActivityKind.Client);
        if (connect is not null)
        {
            connect.SetTag(TelemetryNames.ProviderName, GatewayTelemetry.Provider(endpoint.Kind));
            connect.SetTag(TelemetryNames.RequestModel, endpoint.Model);
            connect.SetTag(TelemetryNames.ServerAddress, endpoint.Url.Host);
            connect.SetTag(TelemetryNames.ServerPort, endpoint.Url.Port);
        }

        return connect;
    }

    /// <summary>The agent leg opened (or not, with <paramref name="errorType"/>) after <paramref name="startedAt"/>.</summary>
    public void Connected(Activity? connect, RealtimeEndpoint endpoint, long startedAt, string? errorType)
    {
        _telemetry.BackendConnected(GatewayTelemetry.Provider(endpoint.Kind), _time.GetElapsedTime(startedAt), errorType is null);
        if (connect is null)
        {
            return;
        }

        if (errorType is not null)
        {
            connect.SetTag(TelemetryNames.ErrorType, errorType);
            connect.SetStatus(ActivityStatusCode.Error);
        }

        connect.Dispose();
    }

    /// <summary>A realtime response began: its <c>invoke_agent</c> span starts (ending one left open, as completed).</summary>
    public void ResponseCreated(string responseId)
    {
        lock (_gate)
        {
            if (_ended)
            {
                return;
            }

            EndTurn("completed", null, null);
            _telemetry.SetState(_callId, "thinking");
            _turnResponseId = responseId;
            _turnStarted = _time.GetTimestamp();
            _turnInterrupted = false;
            _turn = StartDetached("invoke_agent " + _agentName, ActivityKind.Internal);
            if (_turn is { } turn)
            {
                turn.SetTag(TelemetryNames.OperationName, "invoke_agent");
                turn.SetTag(TelemetryNames.AgentName, _agentName);
                turn.SetTag(TelemetryNames.ProviderName, _provider);
                turn.SetTag(TelemetryNames.RequestModel, _model);
                turn.SetTag(TelemetryNames.ResponseId, responseId);
            }
        }
    }

    /// <summary>
    /// The response ended with <paramref name="status"/>: its span ends <c>completed</c>, or <c>interrupted</c> (a barge-in or
    /// a cancel), or as an error (failed, incomplete) with <c>error.type</c>; token usage as <c>gen_ai.usage.*</c>.
    /// </summary>
    public void ResponseDone(string responseId, string status, RealtimeUsage? usage)
    {
        lock (_gate)
        {
            if (!string.Equals(responseId, _turnResponseId, StringComparison.Ordinal))
            {
                return;
            }

            var reason = status == "cancelled" || _turnInterrupted ? "interrupted" : status == "completed" ? "completed" : null;
            EndTurn(reason, status, usage);
            _telemetry.SetState(_callId, "listening");
        }
    }

    /// <summary>The caller started speaking (the backend's voice detection): the <c>user_speech</c> span starts.</summary>
    public void SpeechStarted()
    {
        lock (_gate)
        {
            if (_ended)
            {
                return;
            }

            _speech?.Dispose();
            _speech = StartDetached("user_speech", ActivityKind.Internal);
            _telemetry.SetState(_callId, "listening");
        }
    }

    /// <summary>The caller stopped speaking: the <c>user_speech</c> span ends.</summary>
    public void SpeechStopped()
    {
        lock (_gate)
        {
            _speech?.Dispose();
            _speech = null;
        }
    }

    /// <summary>Starts an <c>execute_tool</c> span, current until disposed (the tool's HTTP request is its child).</summary>
    public Activity? StartTool(string name, string toolCallId, string kind)
    {
        _telemetry.SetState(_callId, "tool_running");
        var tool = GatewayTelemetry.Source.StartActivity("execute_tool " + name, ActivityKind.Internal);
        if (tool is not null)
        {
            tool.SetTag(TelemetryNames.OperationName, "execute_tool");
            tool.SetTag(TelemetryNames.ToolName, name);
            tool.SetTag(TelemetryNames.ToolCallId, toolCallId);
            tool.SetTag(TelemetryNames.ToolKind, kind);
        }

        return tool;
    }

    /// <summary>The tool ended with <paramref name="outcome"/> after <paramref name="startedAt"/>: its span ends and its duration is recorded.</summary>
    public void ToolEnded(Activity? tool, string kind, string outcome, long startedAt)
    {
        _telemetry.ToolRan(kind, outcome, _time.GetElapsedTime(startedAt));
        _telemetry.SetState(_callId, "thinking");
        if (tool is null)
        {
            return;
        }

        tool.SetTag(TelemetryNames.Outcome, outcome);
        if (outcome != "ok")
        {
            tool.SetTag(TelemetryNames.ErrorType, outcome);
            tool.SetStatus(ActivityStatusCode.Error);
        }

        tool.Dispose();
    }

    /// <summary>The call ended: open turns end <c>session_closed</c>, and the call span gets its end reason and length.</summary>
    public void End(string endReason, long durationMs)
    {
        lock (_gate)
        {
            if (_ended)
            {
                return;
            }

            _ended = true;
            EndTurn("session_closed", null, null);
            _speech?.Dispose();
            _speech = null;
        }

        if (_call is not { } call)
        {
            return;
        }

        call.SetTag(TelemetryNames.EndReason, endReason);
        call.SetTag(TelemetryNames.DurationMs, durationMs);
        if (endReason is CallEndReason.InternalError or CallEndReason.BackendUnavailable or CallEndReason.BackendDisconnected or CallEndReason.CarrierProtocolError)
        {
            call.SetTag(TelemetryNames.ErrorType, endReason);
            call.SetStatus(ActivityStatusCode.Error);
        }

        call.Stop();
    }

    /// <summary>Ends the open turn (under <see cref="_gate"/>): with an end reason, or as an error when it is null.</summary>
    private void EndTurn(string? endReason, string? status, RealtimeUsage? usage)
    {
        if (_turnResponseId is null)
        {
            return;
        }

        var elapsed = _time.GetElapsedTime(_turnStarted);
        _telemetry.ResponseEnded(_provider, _model, elapsed, status ?? endReason ?? "unknown", endReason ?? "error");
        if (_turn is { } turn)
        {
            if (endReason is not null)
            {
                turn.SetTag(TelemetryNames.InvocationEndReason, endReason);
            }
            else
            {
                turn.SetTag(TelemetryNames.ErrorType, status);
                turn.SetStatus(ActivityStatusCode.Error);
            }

            if (status is not null)
            {
                turn.SetTag(TelemetryNames.FinishReasons, new[] { status });
            }

            if (usage is not null)
            {
                turn.SetTag("gen_ai.usage.input_tokens", usage.InputTokens);
                turn.SetTag("gen_ai.usage.output_tokens", usage.OutputTokens);
                turn.SetTag("gen_ai.usage.audio.input_tokens", usage.InputAudioTokens);
                turn.SetTag("gen_ai.usage.audio.output_tokens", usage.OutputAudioTokens);
                turn.SetTag("gen_ai.usage.text.input_tokens", usage.InputTextTokens);
                turn.SetTag("gen_ai.usage.text.output_tokens", usage.OutputTextTokens);
                turn.SetTag("gen_ai.usage.cache_read.input_tokens", usage.InputCachedTokens);
            }

            turn.Dispose();
        }

        _turn = null;
        _turnResponseId = null;
        _turnInterrupted = false;
    }

    /// <summary>A child of the call span that is not made current (turns and speech overlap the loops' other work).</summary>
    private Activity? StartDetached(string name, ActivityKind kind)
    {
        if (_call is null)
        {
            return null;
        }

        var previous = Activity.Current;
        var activity = GatewayTelemetry.Source.StartActivity(name, kind, _call.Context);
        Activity.Current = previous;
        return activity;
    }

    private void AddEvent(string name, ActivityTagsCollection? tags) =>
        _call?.AddEvent(new ActivityEvent(name, _time.GetUtcNow(), tags));

    private static string? Data(CallEvent e, string key) => e.Data is { } data && data.TryGetValue(key, out var value) ? value : null;
}
