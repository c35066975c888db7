using Switchboard.Diagnostics;

namespace Switchboard.Server.Api;

/// <summary>Audit log lines of the REST API. Keys appear only by their public prefix.</summary>
internal static partial class ApiLog
{
    /// <summary>The logger category of the REST API.</summary>
    public const string Category = "Switchboard.Server.Api";

    [LoggerMessage(EventId = EventIds.ApiKeyCreated, Level = LogLevel.Information, Message = "API key {Prefix} ('{Name}', {Scopes}) created by key {By}")]
    public static partial void KeyCreated(ILogger logger, string prefix, string name, string scopes, string by);

    [LoggerMessage(EventId = EventIds.ApiKeyRevoked, Level = LogLevel.Information, Message = "API key {Prefix} revoked by key {By}")]
    public static partial void KeyRevoked(ILogger logger, string prefix, string by);

    [LoggerMessage(EventId = EventIds.ApiEndpointCreated, Level = LogLevel.Information, Message = "Endpoint {EndpointId} ('{Name}') created by key {By}")]
    public static partial void EndpointCreated(ILogger logger, Guid endpointId, string name, string by);

    [LoggerMessage(EventId = EventIds.ApiEndpointUpdated, Level = LogLevel.Information, Message = "Endpoint {EndpointId} ('{Name}') updated by key {By}")]
    public static partial void EndpointUpdated(ILogger logger, Guid endpointId, string name, string by);

    [LoggerMessage(EventId = EventIds.ApiEndpointDeleted, Level = LogLevel.Information, Message = "Endpoint {EndpointId} ('{Name}') deleted by key {By}")]
    public static partial void EndpointDeleted(ILogger logger, Guid endpointId, string name, string by);

    [LoggerMessage(EventId = EventIds.ApiWebhookCreated, Level = LogLevel.Information, Message = "Webhook {WebhookId} to {Target} ({EventTypes}) created by key {By}")]
    public static partial void WebhookCreated(ILogger logger, Guid webhookId, string target, string eventTypes, string by);

    [LoggerMessage(EventId = EventIds.ApiWebhookDeleted, Level = LogLevel.Information, Message = "Webhook {WebhookId} deleted by key {By}")]
    public static partial void WebhookDeleted(ILogger logger, Guid webhookId, string by);

    [LoggerMessage(EventId = EventIds.ApiWebhookRetried, Level = LogLevel.Information, Message = "Webhook delivery {DeliveryId} retried by key {By}")]
    public static partial void WebhookRetried(ILogger logger, string deliveryId, string by);

    [LoggerMessage(EventId = EventIds.ApiTeamLimitsUpdated, Level = LogLevel.Information, Message = "Limits of team {TeamId} ({Fields}) updated by key {By}")]
    public static partial void TeamLimitsUpdated(ILogger logger, Guid teamId, string fields, string by);

    /// <summary>An operator's hang-up; what the agent is asked to say and the reason are not logged (they may hold personal data).</summary>
    [LoggerMessage(EventId = EventIds.ApiCallHungUp, Level = LogLevel.Information, Message = "Call {CallId} hung up by key {By} (given goodbye: {WithGoodbye})")]
    public static partial void CallHungUp(ILogger logger, string callId, bool withGoodbye, string by);

    [LoggerMessage(EventId = EventIds.ApiCallHangupFailed, Level = LogLevel.Warning, Message = "Hanging up call {CallId} failed")]
    public static partial void HangupFailed(ILogger logger, Exception exception, string callId);
}
