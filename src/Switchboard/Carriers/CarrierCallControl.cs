using System.Net;
using Microsoft.Extensions.Logging;
using Switchboard.Calls;
using Switchboard.Carriers.Telnyx;
using Switchboard.Carriers.Twilio;
using Switchboard.Configuration;
using Switchboard.Diagnostics;

namespace Switchboard.Carriers;

/// <summary>
/// The gateway's client for carrier call control: one <see cref="HttpClient"/> for every call, redirects never followed,
/// a 10 s limit per request. Credentials come from the gateway's configuration and are never logged; nothing is sent
/// when they are missing.
/// </summary>
internal sealed partial class CarrierCallControl : ICarrierCallControl, IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);
    private const int MaxErrorBody = 4096;

    private readonly SwitchboardOptions _options;
    private readonly ILogger _logger;
    private readonly HttpClient _client;

    public CarrierCallControl(SwitchboardOptions options, ILogger logger, HttpMessageHandler? handler = null)
    {
        _options = options;
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

    public Task<CallControlResult> HangUpAsync(string callId, string carrier, CallStartInfo start, CancellationToken cancellationToken)
    {
        string? missing;
        var request = carrier switch
        {
            TwilioProtocol.CarrierName => TwilioRest.Build(_options.Twilio, start, TwilioRest.HangUpForm(), out missing),
            TelnyxProtocol.CarrierName => TelnyxRest.Build(_options.Telnyx, start, "hangup", static _ => { }, out missing),
            _ => Unsupported(carrier, out missing),
        };
        return SendAsync(callId, carrier, "hangup", request, missing, cancellationToken);
    }

    public Task<CallControlResult> TransferAsync(string callId, string carrier, CallStartInfo start, string to, string? callerId, CancellationToken cancellationToken)
    {
        string? missing;
        var request = carrier switch
        {
            TwilioProtocol.CarrierName => TwilioRest.Build(_options.Twilio, start, TwilioRest.TransferForm(to, callerId), out missing),
            TelnyxProtocol.CarrierName => TelnyxRest.Build(_options.Telnyx, start, "transfer", w =>
            {
                w.WriteString("to"u8, to);
                if (!string.IsNullOrEmpty(callerId))
                {
                    w.WriteString("from"u8, callerId);
                }
            }, out missing),
            _ => Unsupported(carrier, out missing),
        };
        return SendAsync(callId, carrier, "transfer", request, missing, cancellationToken);
    }

    private static HttpRequestMessage? Unsupported(string carrier, out string? missing)
    {
        missing = $"call control is not available for '{carrier}'";
        return null;
    }

    private async Task<CallControlResult> SendAsync(string callId, string carrier, string action, HttpRequestMessage? request, string? missing, CancellationToken cancellationToken)
    {
        if (request is null)
        {
            LogNotConfigured(_logger, callId, carrier, action, missing!);
            return new CallControlResult(CallControlStatus.NotConfigured, missing!);
        }

        using (request)
        {
            try
            {
                using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                var status = (int)response.StatusCode;
                LogAnswered(_logger, callId, carrier, action, status);
                if (response.IsSuccessStatusCode)
                {
                    return new CallControlResult(CallControlStatus.Done, $"{carrier} accepted the {action}", status);
                }

                var body = await ReadCappedAsync(response.Content, cancellationToken).ConfigureAwait(false);
                var (gone, message) = carrier == TwilioProtocol.CarrierName ? TwilioRest.ReadError(status, body) : TelnyxRest.ReadError(status, body);
                var detail = $"{carrier} answered {status} {ReasonPhrase(response.StatusCode)}" + (message is { Length: > 0 } ? ": " + Shorten(message) : "");
                return new CallControlResult(gone ? CallControlStatus.AlreadyEnded : CallControlStatus.Refused, detail, status);
            }
            catch (HttpRequestException ex) when (!cancellationToken.IsCancellationRequested)
            {
                LogUnreachable(_logger, callId, carrier, action, ex.HttpRequestError.ToString());
                return new CallControlResult(CallControlStatus.Unreachable, $"the {carrier} API could not be reached ({ex.HttpRequestError})");
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                LogUnreachable(_logger, callId, carrier, action, "timeout");
                return new CallControlResult(CallControlStatus.Unreachable, $"the {carrier} API did not answer within {RequestTimeout.TotalSeconds:0} s");
            }
        }
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

    private static string ReasonPhrase(HttpStatusCode status) => System.Text.RegularExpressions.Regex.Replace(status.ToString(), "(?<=[a-z])(?=[A-Z])", " ");

    private static string Shorten(string value) => value.Length > 300 ? value[..300] + "…" : value;

    public void Dispose() => _client.Dispose();

    [LoggerMessage(EventId = EventIds.CarrierCallControlAnswered, Level = LogLevel.Information, Message = "Call {CallId}: {Carrier} {Action} answered {Status}")]
    private static partial void LogAnswered(ILogger logger, string callId, string carrier, string action, int status);

    [LoggerMessage(EventId = EventIds.CarrierCallControlNotConfigured, Level = LogLevel.Warning, Message = "Call {CallId}: {Carrier} {Action} not sent: {Reason}")]
    private static partial void LogNotConfigured(ILogger logger, string callId, string carrier, string action, string reason);

    [LoggerMessage(EventId = EventIds.CarrierCallControlFailed, Level = LogLevel.Warning, Message = "Call {CallId}: {Carrier} {Action} failed: {Error}")]
    private static partial void LogUnreachable(ILogger logger, string callId, string carrier, string action, string error);
}
