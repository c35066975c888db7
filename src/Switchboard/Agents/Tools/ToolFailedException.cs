namespace Switchboard.Agents.Tools;

/// <summary>
/// Thrown by a tool invoker when the tool ran but did not succeed (an HTTP error status, an unreachable host): carries the
/// output the model should see and the outcome code for the journal, so <see cref="ToolRunner"/> need not guess.
/// </summary>
internal sealed class ToolFailedException : Exception
{
    public ToolFailedException(string status, string outputJson)
        : base($"tool failed: {status}")
    {
        Status = status;
        OutputJson = outputJson;
    }

    public ToolFailedException()
    {
        Status = ToolOutcome.Failed;
        OutputJson = "{}";
    }

    public ToolFailedException(string message)
        : base(message)
    {
        Status = ToolOutcome.Failed;
        OutputJson = "{}";
    }

    public ToolFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = ToolOutcome.Failed;
        OutputJson = "{}";
    }

    public string Status { get; }

    public string OutputJson { get; }
}
