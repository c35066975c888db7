using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchboard.Configuration;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;
using Telegram.Bot.Types.ReplyMarkups;

namespace Switchboard.Telegram;

/// <summary>
/// The bot (Telegram.Bot, at <c>Telegram:ApiBaseUrl</c>): (1) at start, <c>getMe</c> proves the token and <c>setMyCommands</c>
/// lists the commands; (2) long polling with <c>getUpdates</c> (the webhook is deleted first, or Telegram refuses the poll),
/// or in webhook mode <c>setWebhook</c> with the secret token and updates arriving through <see cref="HandleUpdateAsync"/>;
/// (3) commands from allowed users: <c>/call</c> answers, in a private chat only, with a <c>web_app</c> button to
/// <c>&lt;origin&gt;/miniapp?launch=&lt;token&gt;</c>; <c>/hangup</c>, <c>/status</c>, <c>/capabilities</c>. Anyone else is told no.
/// </summary>
internal sealed class TelegramBot
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly TelegramOptions _options;
    private readonly RealtimeOptions _realtime;
    private readonly CallSurface _surface;
    private readonly PublicOrigin _origin;
    private readonly ILaunchKeySource _keys;
    private readonly IReadiness _readiness;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private volatile bool _polling;
    private volatile string? _username;

    public TelegramBot(IOptions<SwitchboardOptions> options, CallSurface surface, PublicOrigin origin, ILaunchKeySource keys, IReadiness readiness,
        HttpClient http, TimeProvider time, ILogger<TelegramBot> logger)
    {
        _options = options.Value.Telegram;
        _realtime = options.Value.Realtime;
        _surface = surface;
        _origin = origin;
        _keys = keys;
        _readiness = readiness;
        _time = time;
        _logger = logger;
        Client = new TelegramBotClient(new TelegramBotClientOptions(_options.BotToken!, _options.ApiBaseUrl.TrimEnd('/')), http);
    }

    /// <summary>The Bot API client (the same one in production and in tests; only the base URL differs).</summary>
    public ITelegramBotClient Client { get; }

    /// <summary>Whether the long poll is running and its last request succeeded.</summary>
    public bool IsPolling => _polling;

    /// <summary>The bot's <c>@username</c> once <c>getMe</c> answered.</summary>
    public string? Username => _username;

    /// <summary>Runs the bot until <paramref name="cancellationToken"/>: polls, or sets the webhook and returns.</summary>
    public async Task RunAsync(string? webhookUrl, CancellationToken cancellationToken)
    {
        // (1) The token works, and the command menu says what the bot does.
        var backoff = TimeSpan.FromSeconds(1);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var me = await Client.GetMe(cancellationToken).ConfigureAwait(false);
                _username = me.Username;
                await Client.SetMyCommands(TelegramCommands.All.Select(c => new BotCommand(c.Name, c.Description)), cancellationToken: cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (Exception ex) when (IsTransient(ex, cancellationToken))
            {
                backoff = await BackOffAsync("getMe", ex, backoff, cancellationToken).ConfigureAwait(false);
            }
        }

        if (_options.Mode == "webhook")
        {
            // (2b) Updates arrive at the gateway's webhook route; Telegram echoes the secret token with each.
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await Client.SetWebhook(webhookUrl!, allowedUpdates: [UpdateType.Message], dropPendingUpdates: false,
                        secretToken: _options.WebhookSecret, cancellationToken: cancellationToken).ConfigureAwait(false);
                    TelegramLog.WebhookSet(_logger, webhookUrl!);
                    TelegramLog.BotStarted(_logger, _username ?? "?", "webhook");
                    return;
                }
                catch (Exception ex) when (IsTransient(ex, cancellationToken))
                {
                    backoff = await BackOffAsync("setWebhook", ex, backoff, cancellationToken).ConfigureAwait(false);
                }
            }

            return;
        }

        await PollAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>(2a) Long polling: one <c>getUpdates</c> at a time, the offset past the last update handled.</summary>
    private async Task PollAsync(CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromSeconds(1);
        var offset = 0;
        var started = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (!started)
                {
                    await Client.DeleteWebhook(dropPendingUpdates: false, cancellationToken).ConfigureAwait(false);
                    TelegramLog.BotStarted(_logger, _username ?? "?", "long polling");
                    started = true;
                }

                _polling = true;
                var updates = await Client.GetUpdates(offset, 100, _options.PollTimeoutSeconds, [UpdateType.Message], cancellationToken).ConfigureAwait(false);
                backoff = TimeSpan.FromSeconds(1);
                foreach (var update in updates)
                {
                    offset = update.Id + 1;
                    await HandleUpdateAsync(update, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                _polling = false;
                backoff = await BackOffAsync("getUpdates", ex, backoff, cancellationToken).ConfigureAwait(false);
            }
        }

        _polling = false;
    }

    /// <summary>(3) One update, from the poll or the webhook. A failure is logged; the next update is handled as usual.</summary>
    public async Task HandleUpdateAsync(Update update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (update.Message is not { From: { } from } message || CommandOf(message) is not { } command)
        {
            return;
        }

        try
        {
            await HandleCommandAsync(command, message, from, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // One bad update (a Bot API refusal, the database briefly away) must not stop the bot.
            TelegramLog.UpdateFailed(_logger, update.Id, ex.GetType().Name, Redact(ex.Message));
        }
    }

    /// <summary>Whether <paramref name="userId"/> may use the bot in <paramref name="chatId"/>: an allowed user, or an allowed chat.</summary>
    public static bool IsAuthorized(TelegramOptions options, long userId, long chatId)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.AllowedUsers.Contains(userId) || options.AllowedChats.Contains(chatId);
    }

    private async Task HandleCommandAsync(string command, Message message, User from, CancellationToken cancellationToken)
    {
        var chat = message.Chat;
        if (command is TelegramCommands.Start)
        {
            await ReplyAsync(chat, "Send /call to talk to the agent, /hangup to end a call, /status and /capabilities to see what is ready.", null, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (command is not (TelegramCommands.Call or TelegramCommands.Hangup or TelegramCommands.Status or TelegramCommands.Capabilities))
        {
            return;
        }

        if (!IsAuthorized(_options, from.Id, chat.Id))
        {
            TelegramLog.CommandRefused(_logger, command, from.Id, chat.Id, "not on the allow-list");
            await ReplyAsync(chat, "Sorry, you are not allowed to use this bot.", null, cancellationToken).ConfigureAwait(false);
            return;
        }

        // With Redis the call and the arming may live on another node.
        await _surface.RefreshAsync().ConfigureAwait(false);
        switch (command)
        {
            case TelegramCommands.Call:
                await SendCallButtonAsync(message, from, cancellationToken).ConfigureAwait(false);
                break;
            case TelegramCommands.Hangup:
                // A user hangs up their own call; the operator has ctl and the bridge for any call.
                // The goodbye takes seconds: the next updates are not held up by it.
                var own = _surface.Lease is { IsLive: true } lease && lease.UserId == from.Id;
                if (own)
                {
                    _ = _surface.HangUpAsync("telegram /hangup");
                }

                await ReplyAsync(chat, own ? "Hanging up." : "No call of yours is live.", null, cancellationToken).ConfigureAwait(false);
                break;
            case TelegramCommands.Status:
                await ReplyAsync(chat, StatusText(), null, cancellationToken).ConfigureAwait(false);
                break;
            default:
                await ReplyAsync(chat, ReadinessText(await _readiness.CheckAsync(cancellationToken).ConfigureAwait(false)), null, cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>
    /// <c>/call</c>: a <c>web_app</c> button works only in private chats (PROTOCOLS §4.3), so elsewhere the user is sent to one.
    /// In a private chat the button always comes, with what is not ready yet; arming and budgets are decided at bootstrap.
    /// </summary>
    private async Task SendCallButtonAsync(Message message, User from, CancellationToken cancellationToken)
    {
        var chat = message.Chat;
        if (chat.Type != ChatType.Private)
        {
            TelegramLog.CommandRefused(_logger, TelegramCommands.Call, from.Id, chat.Id, "not a private chat");
            await ReplyAsync(chat, "Calls start from a private chat with me: open it and send /call there.", null, cancellationToken).ConfigureAwait(false);
            return;
        }

        var key = await _keys.GetLaunchTokenKeyAsync(cancellationToken).ConfigureAwait(false);
        var (token, claims) = LaunchTokens.Issue(key, _realtime.BridgeId, from.Id, chat.Id, _time.GetUtcNow(), TimeSpan.FromSeconds(_realtime.LaunchTokenTtlSeconds));
        // Without a public origin the button still comes (readiness says why it will not open from a phone): the gateway's own address.
        var origin = _origin.Current ?? _realtime.ControlUrl.TrimEnd('/');
        var url = origin + "/miniapp?launch=" + Uri.EscapeDataString(token);
        var text = new StringBuilder("Tap Call to start talking (the button works for ")
            .Append(_realtime.LaunchTokenTtlSeconds).Append(" s).");
        var failing = (await _readiness.CheckAsync(cancellationToken).ConfigureAwait(false)).Where(c => !c.Ok).ToList();
        if (failing.Count > 0)
        {
            text.Append("\n\nNot ready yet:");
            foreach (var check in failing)
            {
                text.Append("\n✗ ").Append(check.Name).Append(": ").Append(check.Detail);
            }
        }

        var button = new InlineKeyboardMarkup(InlineKeyboardButton.WithWebApp("📞 Call", new WebAppInfo(url)));
        await ReplyAsync(chat, text.ToString(), button, cancellationToken).ConfigureAwait(false);
        TelegramLog.CallButtonSent(_logger, from.Id, claims.Id, claims.ExpiresAt);
    }

    private string StatusText()
    {
        var lease = _surface.Lease;
        var call = lease is null ? "no call" : lease.IsLive ? $"a call is live ({lease.CallId})" : "a call is being prepared";
        return $"Calling is {(_surface.IsArmed ? "armed" : "not armed")}; {call}; thread {(_surface.ThreadId ?? "not bound")}; control channel {(_surface.IsControlConnected ? "connected" : "not connected")}.";
    }

    /// <summary>The readiness list as one message, a line per check.</summary>
    public static string ReadinessText(IReadOnlyList<ReadinessCheck> checks)
    {
        ArgumentNullException.ThrowIfNull(checks);
        var text = new StringBuilder(checks.All(c => c.Ok) ? "Ready to call." : "Not ready to call.");
        foreach (var check in checks)
        {
            text.Append('\n').Append(check.Ok ? "✓ " : "✗ ").Append(check.Name).Append(": ").Append(check.Detail);
        }

        return text.ToString();
    }

    private Task<Message> ReplyAsync(Chat chat, string text, InlineKeyboardMarkup? markup, CancellationToken cancellationToken) =>
        Client.SendMessage(chat.Id, text, replyMarkup: markup, cancellationToken: cancellationToken);

    /// <summary>The command of a message that starts with a <c>bot_command</c> entity (<c>/call@MyBot</c> is <c>call</c>), or null.</summary>
    public static string? CommandOf(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Text is not { } text || message.Entities is not { Length: > 0 } entities
            || entities[0] is not { Type: MessageEntityType.BotCommand, Offset: 0 } entity || entity.Length < 2 || entity.Length > text.Length)
        {
            return null;
        }

        var command = text[1..entity.Length];
        var at = command.IndexOf('@', StringComparison.Ordinal);
        return (at >= 0 ? command[..at] : command).ToLowerInvariant();
    }

    /// <summary>An error message without the bot token (a URL in it would carry the token).</summary>
    private string Redact(string message) => message.Replace(_options.BotToken!, "<bot token>", StringComparison.Ordinal);

    private static bool IsTransient(Exception ex, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested && ex is ApiRequestException or HttpRequestException or TaskCanceledException or RequestException;

    private async Task<TimeSpan> BackOffAsync(string method, Exception ex, TimeSpan backoff, CancellationToken cancellationToken)
    {
        TelegramLog.BotApiFailed(_logger, method, ex.GetType().Name, Redact(ex.Message), (int)backoff.TotalSeconds);
        try
        {
            await Task.Delay(backoff, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        return TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
    }
}
