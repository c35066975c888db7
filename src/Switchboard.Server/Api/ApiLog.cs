namespace Switchboard.Server.Api;

/// <summary>Audit log lines of the REST API. Keys appear only by their public prefix.</summary>
internal static partial class ApiLog
{
    /// <summary>The logger category of the REST API.</summary>
    public const string Category = "Switchboard.Server.Api";

    [LoggerMessage(EventId = 50, Level = LogLevel.Information, Message = "API key {Prefix} ('{Name}', {Scopes}) created by key {By}")]
    public static partial void KeyCreated(ILogger logger, string prefix, string name, string scopes, string by);

    [LoggerMessage(EventId = 51, Level = LogLevel.Information, Message = "API key {Prefix} revoked by key {By}")]
    public static partial void KeyRevoked(ILogger logger, string prefix, string by);

    [LoggerMessage(EventId = 52, Level = LogLevel.Information, Message = "Endpoint {EndpointId} ('{Name}') created by key {By}")]
    public static partial void EndpointCreated(ILogger logger, Guid endpointId, string name, string by);

    [LoggerMessage(EventId = 53, Level = LogLevel.Information, Message = "Endpoint {EndpointId} ('{Name}') updated by key {By}")]
    public static partial void EndpointUpdated(ILogger logger, Guid endpointId, string name, string by);

    [LoggerMessage(EventId = 54, Level = LogLevel.Information, Message = "Endpoint {EndpointId} ('{Name}') deleted by key {By}")]
    public static partial void EndpointDeleted(ILogger logger, Guid endpointId, string name, string by);

    [LoggerMessage(EventId = 55, Level = LogLevel.Information, Message = "Webhook {WebhookId} to {Target} ({EventTypes}) created by key {By}")]
    public static partial void WebhookCreated(ILogger logger, Guid webhookId, string target, string eventTypes, string by);

    [LoggerMessage(EventId = 56, Level = LogLevel.Information, Message = "Webhook {WebhookId} deleted by key {By}")]
    public static partial void WebhookDeleted(ILogger logger, Guid webhookId, string by);

    [LoggerMessage(EventId = 57, Level = LogLevel.Information, Message = "Webhook delivery {DeliveryId} retried by key {By}")]
    public static partial void WebhookRetried(ILogger logger, string deliveryId, string by);
}
