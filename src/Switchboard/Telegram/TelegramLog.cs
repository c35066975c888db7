using Microsoft.Extensions.Logging;
using Switchboard.Diagnostics;

namespace Switchboard.Telegram;

/// <summary>Log messages of the Telegram channel's core. Never a token, a secret, initData or a launch token.</summary>
internal static partial class TelegramLog
{
    [LoggerMessage(EventId = EventIds.TelegramBotStarted, Level = LogLevel.Information, Message = "Telegram bot @{Username} is up ({Mode})")]
    public static partial void BotStarted(ILogger logger, string username, string mode);

    [LoggerMessage(EventId = EventIds.TelegramBotApiFailed, Level = LogLevel.Warning, Message = "Telegram Bot API {Method} failed ({ErrorType}: {Error}); retrying in {RetrySeconds} s")]
    public static partial void BotApiFailed(ILogger logger, string method, string errorType, string error, int retrySeconds);

    [LoggerMessage(EventId = EventIds.TelegramCallButtonSent, Level = LogLevel.Information, Message = "Telegram /call: a call button for user {UserId}, launch token {TokenId} valid until {ExpiresAt:O}")]
    public static partial void CallButtonSent(ILogger logger, long userId, string tokenId, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = EventIds.TelegramCommandRefused, Level = LogLevel.Information, Message = "Telegram /{Command} from user {UserId} in chat {ChatId} refused: {Reason}")]
    public static partial void CommandRefused(ILogger logger, string command, long userId, long chatId, string reason);

    [LoggerMessage(EventId = EventIds.TelegramWebhookSet, Level = LogLevel.Information, Message = "Telegram webhook set to {Url}")]
    public static partial void WebhookSet(ILogger logger, string url);

    [LoggerMessage(EventId = EventIds.TelegramUpdateFailed, Level = LogLevel.Warning, Message = "Telegram update {UpdateId} failed ({ErrorType}: {Error})")]
    public static partial void UpdateFailed(ILogger logger, int updateId, string errorType, string error);

    [LoggerMessage(EventId = EventIds.TelegramBotStopped, Level = LogLevel.Warning, Message = "Telegram bot stopped: {Reason}")]
    public static partial void BotStopped(ILogger logger, string reason);

    [LoggerMessage(EventId = EventIds.TelegramTunnelStarted, Level = LogLevel.Information, Message = "Public tunnel is up: {Url}")]
    public static partial void TunnelStarted(ILogger logger, string url);

    [LoggerMessage(EventId = EventIds.TelegramTunnelExited, Level = LogLevel.Warning, Message = "Tunnel program exited with code {ExitCode}; restarting in {RetrySeconds} s")]
    public static partial void TunnelExited(ILogger logger, int exitCode, int retrySeconds);

    [LoggerMessage(EventId = EventIds.TelegramTunnelFailed, Level = LogLevel.Warning, Message = "Tunnel program '{Command}' could not start ({Error}); retrying in {RetrySeconds} s")]
    public static partial void TunnelFailed(ILogger logger, string command, string error, int retrySeconds);

    [LoggerMessage(EventId = EventIds.TelegramSharedStateUnavailable, Level = LogLevel.Warning, Message = "Telegram call surface: Redis unreachable ({Failure}) to {Operation}; new calls are refused busy until it returns")]
    public static partial void SharedStateUnavailable(ILogger logger, string operation, string failure);

    [LoggerMessage(EventId = EventIds.TelegramLeaseExpired, Level = LogLevel.Warning, Message = "Telegram call {CallId} on {Node} stopped renewing its lease (node gone?); the lease expired and calls can start again")]
    public static partial void LeaseExpired(ILogger logger, string callId, string node);
}
