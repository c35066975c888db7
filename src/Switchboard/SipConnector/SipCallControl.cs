using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Calls;
using Switchboard.Configuration;
using Switchboard.Transport;

namespace Switchboard.SipConnector;

/// <summary>
/// The gateway's client for the SIP connector's REST API: one <see cref="HttpClient"/> for every call, redirects never
/// followed, 10 s per request. The credential comes from configuration and is never logged; a provider without one
/// sends nothing. An accept refused for <c>audio.output.voice</c> (<c>unknown_parameter</c>, as some Azure versions answer)
/// is sent once more with the older top-level <c>voice</c>.
/// </summary>
internal sealed class SipCallControl : ISipCallControl, IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);
    private const int MaxErrorBody = 4096;

    private readonly SipConnectorTarget _target;
    private readonly ILogger _logger;
    private readonly HttpClient _client;

    public SipCallControl(SipConnectorTarget target, ILogger logger, HttpMessageHandler? handler = null)
    {
        _target = target;
        _logger = logger;
        handler ??= new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };
        _client = new HttpClient(handler) { Timeout = RequestTimeout };
    }

    public SipCallControl(SwitchboardOptions options, ILogger logger)
        : this(SipConnectorTarget.From(options), logger)
    {
    }

    public string DefaultModel => _target.DefaultModel;

    public async Task<CallControlResult> AcceptAsync(string callId, RealtimeSessionSettings session, CancellationToken cancellationToken)
    {
        var (result, body) = await PostAsync(callId, "accept", AcceptBody(session, voiceAtTopLevel: false), cancellationToken).ConfigureAwait(false);
        if (result.HttpStatus == (int)HttpStatusCode.BadRequest && RefusesGaVoice(body))
        {
            SipLog.AcceptRetriedWithVoice(_logger, callId, _target.Provider);
            (result, _) = await PostAsync(callId, "accept", AcceptBody(session, voiceAtTopLevel: true), cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    public async Task<CallControlResult> RejectAsync(string callId, int sipStatus, CancellationToken cancellationToken) =>
        (await PostAsync(callId, "reject", Json(w => w.WriteNumber("status_code"u8, sipStatus)), cancellationToken).ConfigureAwait(false)).Result;

    public async Task<CallControlResult> ReferAsync(string callId, string targetUri, CancellationToken cancellationToken) =>
        (await PostAsync(callId, "refer", Json(w => w.WriteString("target_uri"u8, targetUri)), cancellationToken).ConfigureAwait(false)).Result;

    public async Task<CallControlResult> HangUpAsync(string callId, CancellationToken cancellationToken) =>
        (await PostAsync(callId, "hangup", null, cancellationToken).ConfigureAwait(false)).Result;

    /// <summary>The accept's body: the GA session object (formats left out on SIP).</summary>
    internal static byte[] AcceptBody(RealtimeSessionSettings session, bool voiceAtTopLevel)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(2048);
        RealtimeClientEvents.WriteSession(buffer, session, voiceAtTopLevel);
        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] Json(Action<Utf8JsonWriter> writeProperties) => System.Text.Encoding.UTF8.GetBytes(JsonText.Object(writeProperties));

    public RealtimeEndpoint Sideband(string callId, string model) => _target.Sideband(callId, model);

    /// <summary>Posts one action: the outcome, and the error body (capped) when it failed.</summary>
    private async Task<(CallControlResult Result, string? Body)> PostAsync(string callId, string action, byte[]? body, CancellationToken cancellationToken)
    {
        var provider = _target.Provider;
        var credential = _target.Credential;
        if (credential is null && !_target.SendWithoutCredential)
        {
            var missing = provider == "azure" ? "AZURE_OPENAI_API_KEY is not set" : "OPENAI_API_KEY is not set";
            SipLog.ControlNotConfigured(_logger, callId, action, missing);
            return (new CallControlResult(CallControlStatus.NotConfigured, missing), null);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, _target.CallUrl(callId, action));
        if (credential is { } header)
        {
            request.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            SipLog.ControlAnswered(_logger, callId, provider, action, status);
            if (response.IsSuccessStatusCode)
            {
                return (new CallControlResult(CallControlStatus.Done, $"{provider} accepted the {action}", status), null);
            }

            var error = await ReadCappedAsync(response.Content, cancellationToken).ConfigureAwait(false);
            var message = ErrorMessage(error);
            var detail = $"{provider} answered {status} to the {action}" + (message is { Length: > 0 } ? ": " + Shorten(message) : "");
            return (new CallControlResult(status == (int)HttpStatusCode.NotFound ? CallControlStatus.AlreadyEnded : CallControlStatus.Refused, detail, status), error);
        }
        catch (HttpRequestException ex) when (!cancellationToken.IsCancellationRequested)
        {
            SipLog.ControlFailed(_logger, callId, provider, action, ex.HttpRequestError.ToString());
            return (new CallControlResult(CallControlStatus.Unreachable, $"the {provider} API could not be reached ({ex.HttpRequestError})"), null);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            SipLog.ControlFailed(_logger, callId, provider, action, "timeout");
            return (new CallControlResult(CallControlStatus.Unreachable, $"the {provider} API did not answer within {RequestTimeout.TotalSeconds:0} s"), null);
        }
    }

    /// <summary>An OpenAI-style error naming <c>audio.output.voice</c> as an unknown parameter.</summary>
    internal static bool RefusesGaVoice(string? body)
    {
        if (string.IsNullOrEmpty(body))
        {
            return false;
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                var code = error.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
                var param = error.TryGetProperty("param", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
                var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                return code == "unknown_parameter" && ((param?.Contains("audio.output.voice", StringComparison.Ordinal) ?? false)
                    || (message?.Contains("audio.output.voice", StringComparison.Ordinal) ?? false));
            }
        }
        catch (JsonException)
        {
        }

        return false;
    }

    /// <summary><c>error.message</c> of an OpenAI-style error body, else the body itself (capped).</summary>
    private static string? ErrorMessage(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("error", out var error)
                && error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
            {
                return message.GetString();
            }
        }
        catch (JsonException)
        {
        }

        return body;
    }

    private static async Task<string> ReadCappedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[MaxErrorBody];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += read;
        }

        return System.Text.Encoding.UTF8.GetString(buffer, 0, total);
    }

    private static string Shorten(string value) => value.Length > 300 ? value[..300] + "…" : value;

    public void Dispose() => _client.Dispose();
}
