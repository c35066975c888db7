using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Switchboard.Configuration;
using Switchboard.Diagnostics;
using Switchboard.Network;
using Switchboard.Transport;

namespace Switchboard.Agents.Tools;

/// <summary>
/// Runs HTTP tools: the arguments and the call's context go to the owning app's URL as JSON, and its answer (capped)
/// goes back to the model. Credentials come from the gateway's configuration by name. Redirects are not followed and the
/// <see cref="OutboundPolicy"/> refuses non-public addresses — checked on the address actually connected to, so DNS cannot
/// smuggle one in.
/// Tools without an <c>http</c> declaration go to the fallback invoker.
/// </summary>
internal sealed partial class HttpToolInvoker : IToolInvoker, IDisposable
{
    private const int ErrorExcerptChars = 500;

    private readonly ToolOptions _options;
    private readonly IToolInvoker _fallback;
    private readonly ILogger _logger;
    private readonly HttpClient _client;

    public HttpToolInvoker(ToolOptions options, OutboundPolicy outbound, IToolInvoker fallback, ILogger logger)
    {
        _options = options;
        _fallback = fallback;
        _logger = logger;
        // Timeouts are per tool (ToolRunner's token), not per client.
        _client = outbound.CreateClient("HTTP tool", TimeSpan.FromSeconds(5));
    }

    public async Task<string> InvokeAsync(ToolCall call, CancellationToken cancellationToken)
    {
        if (call.Spec?.Http is not { } http)
        {
            return await _fallback.InvokeAsync(call, cancellationToken).ConfigureAwait(false);
        }

        using var request = BuildRequest(call, http);
        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex) when (!cancellationToken.IsCancellationRequested)
        {
            var blocked = OutboundPolicy.IsRefused(ex);
            var reason = blocked ? "the tool's address is not allowed by the gateway's outbound policy (see Switchboard:Network:AllowedPrivateNetworks)" : "the tool's server could not be reached";
            LogUnreachable(_logger, call.CallId, call.Name, blocked ? "blocked address" : ex.HttpRequestError.ToString());
            throw new ToolFailedException("tool_unreachable", JsonText.Object(w =>
            {
                w.WriteString("error"u8, "tool_unreachable");
                w.WriteString("message"u8, reason);
            }));
        }

        using (response)
        {
            var (body, truncated) = await ReadCappedAsync(response.Content, http.MaxResponseBytes, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            LogAnswered(_logger, call.CallId, call.Name, status, body.Length, truncated);
            if (status is < 200 or > 299)
            {
                throw new ToolFailedException("http_error", JsonText.Object(w =>
                {
                    w.WriteString("error"u8, "http_error");
                    w.WriteNumber("status"u8, status);
                    w.WriteString("body"u8, Excerpt(body, ErrorExcerptChars));
                }));
            }

            // A whole JSON answer goes to the model as it is; anything else (text, or JSON cut by the cap) is wrapped.
            if (!truncated && IsJson(body))
            {
                return body;
            }

            return JsonText.Object(w =>
            {
                w.WriteString("result"u8, body);
                if (truncated)
                {
                    w.WriteBoolean("truncated"u8, true);
                }
            });
        }
    }

    private HttpRequestMessage BuildRequest(ToolCall call, HttpToolSpec http)
    {
        var method = new HttpMethod(http.Method ?? "POST");
        using var arguments = JsonDocument.Parse(string.IsNullOrWhiteSpace(call.ArgumentsJson) ? "{}" : call.ArgumentsJson);
        HttpRequestMessage request;
        if (method == HttpMethod.Get)
        {
            request = new HttpRequestMessage(method, WithQuery(http.Url, arguments.RootElement));
        }
        else
        {
            request = new HttpRequestMessage(method, http.Url)
            {
                Content = new ByteArrayContent(RequestBody(call, http, arguments.RootElement)) { Headers = { { "Content-Type", "application/json" } } },
            };
        }

        request.Headers.TryAddWithoutValidation("User-Agent", "Switchboard-Tools/1");
        request.Headers.TryAddWithoutValidation("X-Switchboard-Call-Id", call.CallId);
        request.Headers.TryAddWithoutValidation("X-Switchboard-Tool-Call-Id", call.ToolCallId);
        foreach (var header in http.Headers ?? [])
        {
            string value;
            if (header.Secret is { } name)
            {
                if (!_options.Secrets.TryGetValue(name, out var secret) || string.IsNullOrEmpty(secret))
                {
                    request.Dispose();
                    throw new ToolFailedException("tool_misconfigured", JsonText.Object(w =>
                    {
                        w.WriteString("error"u8, "tool_misconfigured");
                        w.WriteString("message"u8, $"the gateway has no secret named '{name}' (Switchboard:Tools:Secrets:{name})");
                    }));
                }

                value = (header.Format ?? "{secret}").Replace("{secret}", secret, StringComparison.Ordinal);
            }
            else
            {
                value = header.Value ?? "";
            }

            if (!request.Headers.TryAddWithoutValidation(header.Name, value))
            {
                request.Content?.Headers.TryAddWithoutValidation(header.Name, value);
            }
        }

        return request;
    }

    /// <summary><c>{ tool, toolCallId, arguments, call: { id, teamId, endpointId, carrier, from? } }</c>.</summary>
    private static byte[] RequestBody(ToolCall call, HttpToolSpec http, JsonElement arguments)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("tool"u8, call.Name);
            w.WriteString("toolCallId"u8, call.ToolCallId);
            w.WritePropertyName("arguments"u8);
            arguments.WriteTo(w);
            w.WriteStartObject("call"u8);
            w.WriteString("id"u8, call.CallId);
            if (call.Context is { } context)
            {
                w.WriteString("teamId"u8, context.TeamId.ToString("D"));
                w.WriteString("endpointId"u8, context.EndpointId.ToString("D"));
                w.WriteString("carrier"u8, context.Carrier);
                if (http.IncludeCaller && context.From is not null)
                {
                    w.WriteString("from"u8, context.From);
                }
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>GET tools: top-level scalar arguments become query parameters (objects and arrays as compact JSON).</summary>
    private static Uri WithQuery(string url, JsonElement arguments)
    {
        var builder = new UriBuilder(url);
        var query = new StringBuilder(builder.Query.TrimStart('?'));
        if (arguments.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in arguments.EnumerateObject())
            {
                var value = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
                query.Append(query.Length > 0 ? "&" : "").Append(Uri.EscapeDataString(property.Name)).Append('=').Append(Uri.EscapeDataString(value));
            }
        }

        builder.Query = query.ToString();
        return builder.Uri;
    }

    private static async Task<(string Body, bool Truncated)> ReadCappedAsync(HttpContent content, int maxBytes, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[Math.Min(maxBytes + 1, 64 * 1024)];
        using var collected = new MemoryStream();
        int read;
        while (collected.Length <= maxBytes && (read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            collected.Write(buffer, 0, read);
        }

        var truncated = collected.Length > maxBytes;
        var bytes = collected.GetBuffer().AsSpan(0, (int)Math.Min(collected.Length, maxBytes));
        return (Encoding.UTF8.GetString(bytes), truncated);
    }

    /// <summary>Whether the answer passes the gateway's rule for JSON from outside (<see cref="JsonInput"/>); otherwise it is passed on as text.</summary>
    private static bool IsJson(string body) => JsonInput.TryParse(body, out _, out _);

    private static string Excerpt(string text, int max) => text.Length <= max ? text : text[..max] + "…";


    public void Dispose() => _client.Dispose();

    [LoggerMessage(EventId = EventIds.HttpToolAnswered, Level = LogLevel.Information, Message = "Call {CallId}: HTTP tool {Tool} answered {Status} ({Length} chars, truncated: {Truncated})")]
    private static partial void LogAnswered(ILogger logger, string callId, string tool, int status, int length, bool truncated);

    [LoggerMessage(EventId = EventIds.HttpToolUnreachable, Level = LogLevel.Warning, Message = "Call {CallId}: HTTP tool {Tool} unreachable: {Reason}")]
    private static partial void LogUnreachable(ILogger logger, string callId, string tool, string reason);
}
