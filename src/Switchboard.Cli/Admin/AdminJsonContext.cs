using System.Text.Json;
using System.Text.Json.Serialization;
using Switchboard.Journal;

namespace Switchboard.Cli.Admin;

/// <summary>Source-generated JSON for the REST wire format and <c>--json</c> output: camelCase, enums as strings, unknown fields skipped.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    UseStringEnumConverter = true,
    WriteIndented = true)]
[JsonSerializable(typeof(KeyList))]
[JsonSerializable(typeof(KeyView))]
[JsonSerializable(typeof(CreatedKey))]
[JsonSerializable(typeof(CreateKeyRequest))]
[JsonSerializable(typeof(Pagination))]
[JsonSerializable(typeof(CallList))]
[JsonSerializable(typeof(CallView))]
[JsonSerializable(typeof(List<TranscriptLine>))]
[JsonSerializable(typeof(IReadOnlyList<CallEvent>))]
[JsonSerializable(typeof(Problem))]
[JsonSerializable(typeof(TeamView))]
[JsonSerializable(typeof(List<TeamView>))]
[JsonSerializable(typeof(WebhookList))]
[JsonSerializable(typeof(WebhookView))]
[JsonSerializable(typeof(CreatedWebhook))]
[JsonSerializable(typeof(CreateWebhookBody))]
[JsonSerializable(typeof(DeliveryList))]
[JsonSerializable(typeof(DeliveryView))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
