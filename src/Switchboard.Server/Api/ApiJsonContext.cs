using System.Text.Json.Serialization;
using Switchboard.Limits;

namespace Switchboard.Server.Api;

/// <summary>Source-generated JSON for the REST API: camelCase, nulls written (stable shapes), unknown fields refused on input.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(CreateKeyRequest))]
[JsonSerializable(typeof(CreatedKeyResponse))]
[JsonSerializable(typeof(KeyListResponse))]
[JsonSerializable(typeof(TeamResponse))]
[JsonSerializable(typeof(StreamParametersResponse))]
[JsonSerializable(typeof(UsageReport))]
[JsonSerializable(typeof(HangupRequest))]
[JsonSerializable(typeof(HangupResponse))]
[JsonSerializable(typeof(EndpointResponse))]
[JsonSerializable(typeof(EndpointListResponse))]
[JsonSerializable(typeof(CallListResponse))]
[JsonSerializable(typeof(CallDetailResponse))]
[JsonSerializable(typeof(RuntimeResponse))]
[JsonSerializable(typeof(CreateWebhookRequest))]
[JsonSerializable(typeof(CreatedWebhookResponse))]
[JsonSerializable(typeof(WebhookResponse))]
[JsonSerializable(typeof(WebhookListResponse))]
[JsonSerializable(typeof(WebhookDeliveryResponse))]
[JsonSerializable(typeof(WebhookDeliveryListResponse))]
[JsonSerializable(typeof(DrainResponse))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
