using System.Text.Json;

namespace Switchboard.Cli.Admin;

/// <summary><c>GET /api/v1/calls/{id}</c>: the call, its transcript, and its raw events (printed as they are with <c>--json</c>).</summary>
internal sealed record CallDetail(CallView Call, IReadOnlyList<TranscriptLine> Transcript, JsonElement Events);
