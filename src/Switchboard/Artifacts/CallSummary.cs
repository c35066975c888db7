using Switchboard.Backends.OpenAIRealtime;

namespace Switchboard.Artifacts;

/// <summary>What the summary response produced: its text (may be empty), and its id, status and usage for the journal.</summary>
internal sealed record CallSummary(string Text, string ResponseId, string Status, RealtimeUsage? Usage);
