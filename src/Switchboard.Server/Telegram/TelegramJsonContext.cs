using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.Server.Telegram;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RefusalBody))]
[JsonSerializable(typeof(BootstrapRequest))]
[JsonSerializable(typeof(BootstrapResponse))]
[JsonSerializable(typeof(CallTokenRequest))]
internal sealed partial class TelegramJsonContext : JsonSerializerContext;

/// <summary><c>POST /api/call/bootstrap</c>: the button's launch token and <c>Telegram.WebApp.initData</c> as given.</summary>
internal sealed record BootstrapRequest(string? LaunchToken, string? InitData);

/// <summary>The answer of a bootstrap: where to connect, with what, and the call's caps.</summary>
internal sealed record BootstrapResponse(Guid SessionId, string WsUrl, int WsTokenExpiresIn, string CallToken, int MaxCallSeconds, int IdleTimeoutSeconds, string? ThreadId);

/// <summary><c>POST /api/call/hangup</c> and <c>/api/call/finalize</c> from the page: its session and call token.</summary>
internal sealed record CallTokenRequest(Guid? SessionId, string? CallToken, string? Reason);
