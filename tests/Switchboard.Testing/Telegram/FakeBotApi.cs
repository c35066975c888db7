using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Switchboard.Testing.Telegram;

/// <summary>
/// A local stand-in for the Telegram Bot API, speaking its real wire format (<c>POST /bot&lt;token&gt;/&lt;method&gt;</c>, JSON in,
/// <c>{"ok":…,"result":…}</c> out): <c>getMe</c>, <c>getUpdates</c> as a real long poll (answers as soon as an update is queued,
/// or empty after <c>timeout</c> seconds), <c>sendMessage</c> (recorded, inline keyboards included), <c>setMyCommands</c>,
/// <c>getWebhookInfo</c>, <c>setWebhook</c>, <c>deleteWebhook</c>. A wrong token is a 401 as Telegram answers it.
/// </summary>
public sealed class FakeBotApi : IAsyncDisposable
{
    private readonly LoopbackServer _server;
    private readonly Lock _gate = new();
    private readonly List<JsonObject> _updates = [];
    private readonly Channel<JsonObject> _sent = Channel.CreateUnbounded<JsonObject>();
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _nextUpdateId = 1000;
    private int _nextMessageId = 1;

    private FakeBotApi(LoopbackServer server, string token)
    {
        _server = server;
        Token = token;
    }

    /// <summary>The bot token this fake accepts (bot id 7000001).</summary>
    public string Token { get; }

    public long BotId => 7000001;

    /// <summary>The base URL to configure as <c>TELEGRAM_API_BASE_URL</c>.</summary>
    public string BaseUrl => _server.BaseUrl;

    /// <summary>Whether the token is accepted (false: every method answers 401, as for a revoked token).</summary>
    public bool TokenValid { get; set; } = true;

    /// <summary>The webhook URL set with <c>setWebhook</c> (empty when none).</summary>
    public string WebhookUrl { get; private set; } = "";

    /// <summary>The secret token given with <c>setWebhook</c>.</summary>
    public string? WebhookSecret { get; private set; }

    /// <summary>How many <c>getUpdates</c> calls arrived.</summary>
    public int Polls { get; private set; }

    public IReadOnlyCollection<RecordedRequest> Requests => _server.Requests;

    public static async Task<FakeBotApi> StartAsync(string token = "7000001:AAFakeTokenForTests_0123456789abcdef")
    {
        FakeBotApi? api = null;
        var server = await LoopbackServer.StartAsync(app => app.MapPost("/bot{token}/{method}", (HttpContext context, string token, string method) => api!.HandleAsync(context, token, method)));
        api = new FakeBotApi(server, token);
        return api;
    }

    /// <summary>Queues a text message from <paramref name="userId"/> in <paramref name="chatId"/> (a command when it starts with '/'); returns its update id.</summary>
    public int SendText(long userId, long chatId, string text, string chatType = "private")
    {
        var message = new JsonObject
        {
            ["message_id"] = Interlocked.Increment(ref _nextMessageId),
            ["from"] = new JsonObject { ["id"] = userId, ["is_bot"] = false, ["first_name"] = "User" + userId },
            ["chat"] = chatType == "private"
                ? new JsonObject { ["id"] = chatId, ["type"] = "private", ["first_name"] = "User" + userId }
                : new JsonObject { ["id"] = chatId, ["type"] = chatType, ["title"] = "A group" },
            ["date"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["text"] = text,
        };
        if (text.StartsWith('/'))
        {
            var end = text.IndexOf(' ', StringComparison.Ordinal);
            message["entities"] = new JsonArray(new JsonObject { ["type"] = "bot_command", ["offset"] = 0, ["length"] = end < 0 ? text.Length : end });
        }

        lock (_gate)
        {
            var id = _nextUpdateId++;
            _updates.Add(new JsonObject { ["update_id"] = id, ["message"] = message });
            _arrived.TrySetResult();
            return id;
        }
    }

    /// <summary>The update as Telegram would post it to a webhook.</summary>
    public static string UpdateJson(int updateId, long userId, string text) => new JsonObject
    {
        ["update_id"] = updateId,
        ["message"] = new JsonObject
        {
            ["message_id"] = updateId,
            ["from"] = new JsonObject { ["id"] = userId, ["is_bot"] = false, ["first_name"] = "U" },
            ["chat"] = new JsonObject { ["id"] = userId, ["type"] = "private" },
            ["date"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["text"] = text,
            ["entities"] = new JsonArray(new JsonObject { ["type"] = "bot_command", ["offset"] = 0, ["length"] = text.Length }),
        },
    }.ToJsonString();

    /// <summary>The next <c>sendMessage</c> body the bot sent, waiting up to <paramref name="timeout"/>.</summary>
    public async Task<JsonObject> NextMessageAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        return await _sent.Reader.ReadAsync(cts.Token);
    }

    /// <summary>The <c>web_app</c> URL of a sent message's first inline button, or null.</summary>
    public static string? WebAppUrl(JsonObject message) =>
        message["reply_markup"]?["inline_keyboard"]?[0]?[0]?["web_app"]?["url"]?.GetValue<string>();

    private async Task<IResult> HandleAsync(HttpContext context, string token, string method)
    {
        if (!TokenValid || token != Token)
        {
            return Results.Json(new JsonObject { ["ok"] = false, ["error_code"] = 401, ["description"] = "Unauthorized" }, statusCode: 401);
        }

        JsonObject body;
        try
        {
            body = context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0
                ? (JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync()) as JsonObject ?? [])
                : [];
        }
        catch (JsonException)
        {
            body = [];
        }

        switch (method)
        {
            case "getMe":
                return Ok(new JsonObject { ["id"] = BotId, ["is_bot"] = true, ["first_name"] = "Switchboard Test", ["username"] = "switchboard_test_bot" });
            case "getUpdates":
                return Ok(await PollAsync(body, context.RequestAborted));
            case "sendMessage":
                _sent.Writer.TryWrite(body);
                return Ok(new JsonObject
                {
                    ["message_id"] = Interlocked.Increment(ref _nextMessageId),
                    ["date"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
                    ["chat"] = new JsonObject { ["id"] = body["chat_id"]?.DeepClone(), ["type"] = "private" },
                    ["text"] = body["text"]?.DeepClone(),
                });
            case "setMyCommands":
                return Ok(true);
            case "getWebhookInfo":
                return Ok(new JsonObject { ["url"] = WebhookUrl, ["has_custom_certificate"] = false, ["pending_update_count"] = 0 });
            case "setWebhook":
                WebhookUrl = body["url"]?.GetValue<string>() ?? "";
                WebhookSecret = body["secret_token"]?.GetValue<string>();
                return Ok(true);
            case "deleteWebhook":
                WebhookUrl = "";
                WebhookSecret = null;
                return Ok(true);
            default:
                return Results.Json(new JsonObject { ["ok"] = false, ["error_code"] = 404, ["description"] = "Not Found: method not found" }, statusCode: 404);
        }
    }

    private async Task<JsonArray> PollAsync(JsonObject body, CancellationToken aborted)
    {
        Polls++;
        var offset = body["offset"]?.GetValue<int>() ?? 0;
        var timeout = body["timeout"]?.GetValue<int>() ?? 0;
        var deadline = DateTime.UtcNow.AddSeconds(timeout);
        while (true)
        {
            Task arrived;
            lock (_gate)
            {
                // Telegram forgets updates below the offset once asked with it.
                _updates.RemoveAll(u => u["update_id"]!.GetValue<int>() < offset);
                if (_updates.Count > 0)
                {
                    return [.. _updates.Select(u => (JsonNode)u.DeepClone())];
                }

                if (_arrived.Task.IsCompleted)
                {
                    _arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                arrived = _arrived.Task;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                return [];
            }

            try
            {
                await arrived.WaitAsync(left, aborted);
            }
            catch (TimeoutException)
            {
                return [];
            }
            catch (OperationCanceledException)
            {
                return [];
            }
        }
    }

    private static IResult Ok(JsonNode? result) => Results.Json(new JsonObject { ["ok"] = true, ["result"] = result });

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
