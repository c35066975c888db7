namespace Switchboard.Configuration;

/// <summary>
/// The Telegram bot that hands out Mini App call buttons (section <c>Switchboard:Telegram</c>; env <c>TELEGRAM_BOT_TOKEN</c>,
/// <c>TELEGRAM_ALLOWED_USER_IDS</c>, <c>TELEGRAM_ALLOWED_CHAT_IDS</c>, <c>TELEGRAM_API_BASE_URL</c>). The token alone turns the
/// channel on with long polling. See docs/telegram.md.
/// </summary>
public sealed record TelegramOptions
{
    /// <summary>Where the Bot API is by default.</summary>
    public const string DefaultApiBaseUrl = "https://api.telegram.org";

    /// <summary>Telegram's production Ed25519 key for third-party <c>initData</c> signatures (hex).</summary>
    public const string ProductionPublicKey = "e7bf03a2fa4602af4580703d88dda5bb59f32ed8b02a56c187fe7d34caed242d";

    /// <summary>Telegram's test-environment Ed25519 key for third-party <c>initData</c> signatures (hex).</summary>
    public const string TestPublicKey = "40055058a4ee38156a06562e52eece92a771bcd8346a8c4615cb7376eddf72ec";

    /// <summary>The bot's token from BotFather (<c>123456:ABC…</c>). Never logged.</summary>
    public string? BotToken { get; init; }

    /// <summary>Telegram user ids allowed to call, comma-separated (empty: nobody).</summary>
    public string? AllowedUserIds { get; init; }

    /// <summary>Chat ids whose launches are allowed besides allowed users' private chats, comma-separated.</summary>
    public string? AllowedChatIds { get; init; }

    /// <summary>The Bot API's base URL (tests point it at a local fake; the code path is the same).</summary>
    public string ApiBaseUrl { get; init; } = DefaultApiBaseUrl;

    /// <summary><c>polling</c> (default: no public URL needed) or <c>webhook</c>.</summary>
    public string Mode { get; init; } = "polling";

    /// <summary>Webhook mode: the URL Telegram posts updates to (default <c>&lt;public origin&gt;/telegram/webhook</c>).</summary>
    public string? WebhookUrl { get; init; }

    /// <summary>Webhook mode: the <c>secret_token</c> Telegram echoes in <c>X-Telegram-Bot-Api-Secret-Token</c> (1–256 of <c>A-Za-z0-9_-</c>). Never logged.</summary>
    public string? WebhookSecret { get; init; }

    /// <summary>Long-poll wait of one <c>getUpdates</c>, in seconds (0–50; default 25).</summary>
    public int PollTimeoutSeconds { get; init; } = 25;

    /// <summary>Oldest <c>auth_date</c> of an <c>initData</c> accepted, in seconds (60–86400; default 3600).</summary>
    public int InitDataMaxAgeSeconds { get; init; } = 3600;

    /// <summary>
    /// Ed25519 public keys (hex, comma-separated) whose third-party <c>signature</c> is accepted when the HMAC <c>hash</c> does not
    /// check out (default Telegram's production key; add <see cref="TestPublicKey"/> for the test environment; empty: HMAC only).
    /// </summary>
    public string SignaturePublicKeys { get; init; } = ProductionPublicKey;

    /// <summary>Whether the channel is on: <see cref="BotToken"/> is set.</summary>
    public bool IsEnabled => !string.IsNullOrWhiteSpace(BotToken);

    /// <summary>The parsed <see cref="AllowedUserIds"/> (invalid entries are reported by validation).</summary>
    public IReadOnlySet<long> AllowedUsers => ParseIds(AllowedUserIds);

    /// <summary>The parsed <see cref="SignaturePublicKeys"/>.</summary>
    public IReadOnlyList<string> SignatureKeys => Split(SignaturePublicKeys).ToList();

    /// <summary>The parsed <see cref="AllowedChatIds"/>.</summary>
    public IReadOnlySet<long> AllowedChats => ParseIds(AllowedChatIds);

    /// <summary>Every problem with these settings, each naming its key.</summary>
    internal IEnumerable<string> Validate(string prefix)
    {
        if (!IsEnabled)
        {
            yield break;
        }

        var token = BotToken!;
        var colon = token.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !long.TryParse(token.AsSpan(0, colon), out _) || colon == token.Length - 1)
        {
            yield return $"{prefix}:BotToken must look like 123456789:AA… as BotFather gives it (env TELEGRAM_BOT_TOKEN).";
        }

        foreach (var (key, text) in new[] { ("AllowedUserIds", AllowedUserIds), ("AllowedChatIds", AllowedChatIds) })
        {
            foreach (var part in Split(text))
            {
                if (!long.TryParse(part, out _))
                {
                    yield return $"{prefix}:{key} must be comma-separated numeric ids (got '{part}'; env TELEGRAM_{(key == "AllowedUserIds" ? "ALLOWED_USER_IDS" : "ALLOWED_CHAT_IDS")}).";
                }
            }
        }

        if (!Uri.TryCreate(ApiBaseUrl, UriKind.Absolute, out var api) || api.Scheme is not ("http" or "https"))
        {
            yield return $"{prefix}:ApiBaseUrl must be an absolute http(s) URL such as {DefaultApiBaseUrl} (got '{ApiBaseUrl}'; env TELEGRAM_API_BASE_URL).";
        }

        if (Mode is not ("polling" or "webhook"))
        {
            yield return $"{prefix}:Mode must be polling or webhook (got '{Mode}').";
        }

        if (Mode == "webhook")
        {
            if (string.IsNullOrEmpty(WebhookSecret) || WebhookSecret.Length > 256 || !WebhookSecret.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            {
                yield return $"{prefix}:WebhookSecret is required in webhook mode: 1-256 characters of A-Za-z0-9_- (Telegram echoes it in X-Telegram-Bot-Api-Secret-Token).";
            }

            if (WebhookUrl is { Length: > 0 } && (!Uri.TryCreate(WebhookUrl, UriKind.Absolute, out var hook) || hook.Scheme != "https"))
            {
                yield return $"{prefix}:WebhookUrl must be an absolute https URL (got '{WebhookUrl}').";
            }
        }

        if (PollTimeoutSeconds is < 0 or > 50)
        {
            yield return $"{prefix}:PollTimeoutSeconds must be 0-50 (got {PollTimeoutSeconds}).";
        }

        if (InitDataMaxAgeSeconds is < 60 or > 86_400)
        {
            yield return $"{prefix}:InitDataMaxAgeSeconds must be 60-86400 (got {InitDataMaxAgeSeconds}).";
        }

        foreach (var key in Split(SignaturePublicKeys))
        {
            if (key is not { Length: 64 } || !key.All(char.IsAsciiHexDigit))
            {
                yield return $"{prefix}:SignaturePublicKeys entries must be 64 hex digits (an Ed25519 public key; got '{key}').";
            }
        }
    }

    private static IEnumerable<string> Split(string? text) =>
        (text ?? "").Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static HashSet<long> ParseIds(string? text)
    {
        var ids = new HashSet<long>();
        foreach (var part in Split(text))
        {
            if (long.TryParse(part, out var id))
            {
                ids.Add(id);
            }
        }

        return ids;
    }
}
