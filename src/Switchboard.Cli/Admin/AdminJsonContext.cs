using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Switchboard.Journal;
using Switchboard.Limits;
using Switchboard.Server.Api;

namespace Switchboard.Cli.Admin;

/// <summary>
/// Source-generated JSON for the REST wire format and <c>--json</c> output: camelCase, enums as strings, unknown fields
/// skipped (a newer gateway may add some). The wire records are the server's own (<c>Switchboard.Server.Api</c>:
/// requests, responses, the pagination block; ASP.NET Core's problem details for errors), so the two sides of the
/// contract cannot drift; only the CLI's own shapes (<see cref="TeamView"/>, <see cref="TeamDetail"/>) are declared here.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    UseStringEnumConverter = true,
    WriteIndented = true)]
[JsonSerializable(typeof(KeyListResponse))]
[JsonSerializable(typeof(KeyResponse))]
[JsonSerializable(typeof(CreatedKeyResponse))]
[JsonSerializable(typeof(CreateKeyRequest))]
[JsonSerializable(typeof(PaginationInfo))]
[JsonSerializable(typeof(CallListResponse))]
[JsonSerializable(typeof(CallResponse))]
[JsonSerializable(typeof(List<TranscriptTurnResponse>))]
[JsonSerializable(typeof(IReadOnlyList<CallEvent>))]
[JsonSerializable(typeof(HttpValidationProblemDetails))]
[JsonSerializable(typeof(TeamView))]
[JsonSerializable(typeof(TeamDetail))]
[JsonSerializable(typeof(UsageReport))]
[JsonSerializable(typeof(HangupRequest))]
[JsonSerializable(typeof(HangupResponse))]
[JsonSerializable(typeof(DrainResponse))]
[JsonSerializable(typeof(List<TeamView>))]
[JsonSerializable(typeof(WebhookListResponse))]
[JsonSerializable(typeof(WebhookResponse))]
[JsonSerializable(typeof(CreatedWebhookResponse))]
[JsonSerializable(typeof(CreateWebhookRequest))]
[JsonSerializable(typeof(WebhookDeliveryListResponse))]
[JsonSerializable(typeof(WebhookDeliveryResponse))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
