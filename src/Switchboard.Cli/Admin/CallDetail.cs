using System.Text.Json;
using Switchboard.Server.Api;

namespace Switchboard.Cli.Admin;

/// <summary>
/// <c>GET /api/v1/calls/{id}</c> as the CLI needs it: the call, its transcript, and its raw events (printed as they are
/// with <c>--json</c>). Not the server's <see cref="CallDetailResponse"/>: local mode has no artifact to show, and the
/// events are passed through untouched rather than re-read.
/// </summary>
internal sealed record CallDetail(CallResponse Call, IReadOnlyList<TranscriptTurnResponse> Transcript, JsonElement Events);
