using Switchboard.Agents.Tools;
using Switchboard.Artifacts;
using Switchboard.Calls;
using Switchboard.Journal;

namespace Switchboard.Tests.Calls.Harness;

/// <summary>The gateway's tool invoker as a test sets it: records each call and answers with <see cref="Handler"/>.</summary>
internal sealed class FakeToolInvoker(HarnessSignal signal) : IToolInvoker
{
    private readonly Lock _gate = new();
    private readonly List<ToolCall> _calls = [];

    /// <summary>The output for a call; the default answers <c>{"ok":true}</c>.</summary>
    public Func<ToolCall, CancellationToken, Task<string>> Handler { get; set; } = (_, _) => Task.FromResult("""{"ok":true}""");

    public IReadOnlyList<ToolCall> Calls
    {
        get
        {
            lock (_gate)
            {
                return _calls.ToArray();
            }
        }
    }

    public Task<string> InvokeAsync(ToolCall call, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _calls.Add(call);
        }

        signal.Pulse();
        return Handler(call, cancellationToken);
    }
}
