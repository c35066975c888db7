using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Switchboard.Diagnostics;

namespace Switchboard.Agents.Tools;

/// <summary>
/// Runs the function calls of one conversation (a phone call or a session connection) against the endpoint's declared
/// tools: an undeclared name, arguments that are not JSON or break the tool's schema, a timeout and a failure each
/// become a structured error for the model (never an exception), and each <c>call_id</c> runs at most once — asking
/// again returns the first outcome, so a side effect is never repeated.
/// </summary>
internal sealed partial class ToolRunner
{
    /// <summary>Used when a tool declares no <c>timeoutSeconds</c>.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly IReadOnlyList<ToolSpec> _tools;
    private readonly IToolInvoker _invoker;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ToolCallContext? _context;
    private readonly ConcurrentDictionary<string, Lazy<Task<ToolOutcome>>> _runs = new(StringComparer.Ordinal);

    public ToolRunner(IReadOnlyList<ToolSpec>? tools, IToolInvoker invoker, TimeProvider time, ILogger logger, ToolCallContext? context = null)
    {
        _context = context;
        _tools = HotHandoffTool.WithDefaults(tools);
        _invoker = invoker;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Journals a hot hand-off (tool call id, arguments) for the built-in <see cref="HotHandoffTool"/>; set by the host that
    /// owns the conversation's journal. Without it, <c>hot_handoff</c> goes to the invoker like any other tool.
    /// </summary>
    public Action<string, string>? HotHandoff { get; set; }

    /// <summary>Runs (once) the function call <paramref name="toolCallId"/> of conversation <paramref name="conversationId"/>.</summary>
    public Task<ToolOutcome> RunAsync(string conversationId, string toolCallId, string name, string arguments, CancellationToken cancellationToken) =>
        _runs.GetOrAdd(toolCallId, _ => new Lazy<Task<ToolOutcome>>(() => RunOnceAsync(conversationId, toolCallId, name, arguments, cancellationToken))).Value;

    private async Task<ToolOutcome> RunOnceAsync(string conversationId, string toolCallId, string name, string arguments, CancellationToken cancellationToken)
    {
        var tool = _tools.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.Ordinal));
        if (tool is null)
        {
            return ToolOutcome.Error(ToolOutcome.UnknownTool, $"There is no tool named '{name}' on this line.");
        }

        JsonDocument parsed;
        try
        {
            parsed = JsonDocument.Parse(string.IsNullOrWhiteSpace(arguments) ? "{}" : arguments);
        }
        catch (JsonException ex)
        {
            return ToolOutcome.Error(ToolOutcome.InvalidArguments, "The arguments are not valid JSON: " + ex.Message);
        }

        using (parsed)
        {
            if (tool.Parameters is { } schema)
            {
                var problems = ArgumentSchema.Validate(schema, parsed.RootElement);
                if (problems.Count > 0)
                {
                    LogInvalidArguments(_logger, conversationId, name, problems.Count);
                    return ToolOutcome.Error(ToolOutcome.InvalidArguments,
                        "The arguments do not match the tool's schema; fix them and call again.", problems.Select(p => p.ToString()).ToList());
                }
            }
        }

        if (HotHandoffTool.Is(tool) && HotHandoff is { } hotHandoff)
        {
            hotHandoff(toolCallId, arguments);
            return new ToolOutcome(HotHandoffTool.Output, ToolOutcome.Ok, TimeSpan.Zero);
        }

        var timeout = tool.TimeoutSeconds > 0 ? TimeSpan.FromSeconds(tool.TimeoutSeconds) : DefaultTimeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var started = _time.GetTimestamp();
        try
        {
            var call = new ToolCall(conversationId, toolCallId, name, arguments) { Spec = tool, Context = _context };
            var output = await _invoker.InvokeAsync(call, deadline.Token).ConfigureAwait(false);
            return new ToolOutcome(output, ToolOutcome.Ok, _time.GetElapsedTime(started));
        }
        catch (ToolFailedException failed)
        {
            return new ToolOutcome(failed.OutputJson, failed.Status, _time.GetElapsedTime(started));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LogTimedOut(_logger, conversationId, name, (int)timeout.TotalSeconds);
            return ToolOutcome.Error(ToolOutcome.Timeout, $"The tool '{name}' did not answer within {timeout.TotalSeconds:0} s.") with { Elapsed = _time.GetElapsedTime(started) };
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not OperationCanceledException)
        {
            LogFailed(_logger, conversationId, name, ex.GetType().Name);
            return ToolOutcome.Error(ToolOutcome.Failed, $"The tool '{name}' failed.") with { Elapsed = _time.GetElapsedTime(started) };
        }
    }

    [LoggerMessage(EventId = EventIds.ToolInvalidArguments, Level = LogLevel.Information, Message = "Call {CallId}: tool {Tool} refused {Count} schema violation(s) in its arguments")]
    private static partial void LogInvalidArguments(ILogger logger, string callId, string tool, int count);

    [LoggerMessage(EventId = EventIds.ToolTimedOut, Level = LogLevel.Warning, Message = "Call {CallId}: tool {Tool} timed out after {Seconds} s")]
    private static partial void LogTimedOut(ILogger logger, string callId, string tool, int seconds);

    [LoggerMessage(EventId = EventIds.ToolFailed, Level = LogLevel.Warning, Message = "Call {CallId}: tool {Tool} failed: {Error}")]
    private static partial void LogFailed(ILogger logger, string callId, string tool, string error);
}
