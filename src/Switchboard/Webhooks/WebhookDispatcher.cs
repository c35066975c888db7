using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging;
using Switchboard.Configuration;
using Switchboard.Diagnostics;
using Switchboard.Network;
using Switchboard.Telemetry;

namespace Switchboard.Webhooks;

/// <summary>
/// Sends the outbox: claims due deliveries under a lease, POSTs each stored body signed with the Standard Webhooks
/// headers (a fresh timestamp and signature per attempt, the same <c>webhook-id</c> always), and records the outcome:
/// 2xx is delivered; anything else (3xx included: redirects are never followed), a timeout or a network error is
/// retried on the schedule of <see cref="WebhookOptions"/>, until <see cref="WebhookOptions.MaxAttempts"/>, then failed.
/// Every connection passes the <see cref="OutboundPolicy"/> (checked on the resolved address). What a delivery records is
/// the status code and one of a few fixed reasons — never the receiver's body, and one reason for every way a connection
/// can fail, so the deliveries API cannot be used to read internal services or to scan ports.
/// Wakes at once when this process enqueues a delivery, at a retry's due time, and polls for other nodes' rows.
/// </summary>
internal sealed partial class WebhookDispatcher : IDisposable
{
    /// <summary>The reason recorded when the connection could not be made or broke (DNS, refused, reset, TLS): one text for all, so it does not tell them apart.</summary>
    public const string ConnectionFailedReason = "connection failed";

    /// <summary>The reason recorded for a URL that cannot be requested.</summary>
    public const string InvalidUrlReason = "invalid URL";

    private readonly IWebhookStore _store;
    private readonly WebhookOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HttpClient _http;
    private readonly Func<string, string?> _bearerTokens;
    private readonly GatewayTelemetry _telemetry;
    private long _depthCountedAt;

    /// <summary>The reason recorded for a hand-off whose token reference names nothing configured.</summary>
    public const string MissingTokenReason = "hand-off token not configured";

    /// <param name="store">The outbox.</param>
    /// <param name="options">Timeouts, retries, polling.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">Where attempts are logged.</param>
    /// <param name="outbound">The policy every connection passes; <see cref="OutboundPolicy.Strict"/> when null.</param>
    /// <param name="telemetry">Where attempts and the outbox's depth are counted; <see cref="GatewayTelemetry.Default"/> when null.</param>
    /// <param name="bearerTokens">Resolves a hand-off delivery's token reference to its bearer token (null: not configured).</param>
    public WebhookDispatcher(IWebhookStore store, WebhookOptions options, TimeProvider time, ILogger<WebhookDispatcher> logger, OutboundPolicy? outbound = null,
        GatewayTelemetry? telemetry = null, Func<string, string?>? bearerTokens = null)
    {
        _telemetry = telemetry ?? GatewayTelemetry.Default;
        _bearerTokens = bearerTokens ?? (_ => null);
        _store = store;
        _options = options;
        _time = time;
        _logger = logger;
        _http = (outbound ?? OutboundPolicy.Strict).CreateClient("webhook", Timeout);
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("Switchboard-Webhooks/1");
    }

    private TimeSpan Timeout => TimeSpan.FromSeconds(_options.TimeoutSeconds);

    /// <summary>Dispatches until <paramref name="stoppingToken"/> is cancelled; store failures are logged and retried.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var poll = TimeSpan.FromSeconds(_options.PollIntervalSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await DispatchOnceAsync(stoppingToken).ConfigureAwait(false) > 0)
                {
                    continue;
                }

                var wait = poll;
                if (await _store.NextWebhookDueAtAsync(stoppingToken).ConfigureAwait(false) is { } due)
                {
                    var untilDue = due - _time.GetUtcNow() + TimeSpan.FromMilliseconds(5);
                    wait = untilDue < TimeSpan.FromMilliseconds(10) ? TimeSpan.FromMilliseconds(10) : untilDue < wait ? untilDue : wait;
                }

                await _store.WebhookEnqueued.WaitAsync(wait, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // The database is away (or refused a statement): keep the loop alive and try again after a poll interval.
                LogStoreFailed(_logger, ex.Message);
                try
                {
                    await Task.Delay(poll, _time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    /// <summary>Claims what is due (up to <see cref="WebhookOptions.MaxConcurrency"/>), sends it in parallel, records the outcomes; returns how many were sent.</summary>
    public async Task<int> DispatchOnceAsync(CancellationToken stoppingToken)
    {
        await CountQueueAsync(stoppingToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var token = Guid.NewGuid().ToString("N");
        var claimed = await _store.ClaimWebhookDeliveriesAsync(token, now, now + TimeSpan.FromSeconds(_options.LeaseSeconds), _options.MaxConcurrency, stoppingToken).ConfigureAwait(false);
        if (claimed.Count == 0)
        {
            return 0;
        }

        await Task.WhenAll(claimed.Select(d => DeliverAsync(d, stoppingToken))).ConfigureAwait(false);
        return claimed.Count;
    }

    /// <summary>The delay after failed attempt <paramref name="attempt"/> (1-based): its step of the schedule (the last step repeats), scaled by <paramref name="jitter"/> in [0, 1) to between half and all of it.</summary>
    internal static TimeSpan RetryDelay(IReadOnlyList<double> schedule, int attempt, double jitter)
    {
        var step = schedule[Math.Clamp(attempt - 1, 0, schedule.Count - 1)];
        return TimeSpan.FromSeconds(step * (0.5 + (0.5 * jitter)));
    }

    public void Dispose() => _http.Dispose();

    /// <summary>Counts the deliveries waiting in the outbox for the queue-depth gauge, at most once a second.</summary>
    private async Task CountQueueAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetTimestamp();
        var last = Interlocked.Read(ref _depthCountedAt);
        if (last != 0 && _time.GetElapsedTime(last, now) < TimeSpan.FromSeconds(1))
        {
            return;
        }

        Interlocked.Exchange(ref _depthCountedAt, now);
        var pending = await _store.ListWebhookDeliveriesAsync(null, WebhookDeliveryStatus.Pending, 0, 1, cancellationToken).ConfigureAwait(false);
        _telemetry.WebhookQueueDepth(pending.Total);
    }

    private async Task DeliverAsync(ClaimedDelivery delivery, CancellationToken stoppingToken)
    {
        var target = Describe(delivery.Url);
        AttemptOutcome outcome;
        var started = _time.GetTimestamp();
        // The delivery's span (its own trace: the call that caused it has ended); the POST below is its child and carries
        // its traceparent. Only the event type, the delivery id and the attempt: never the URL's path or the body.
        using var span = GatewayTelemetry.Source.StartActivity("webhook " + delivery.EventType, ActivityKind.Internal);
        span?.SetTag(TelemetryNames.WebhookEvent, delivery.EventType);
        span?.SetTag(TelemetryNames.WebhookId, delivery.Id);
        span?.SetTag(TelemetryNames.WebhookAttempt, delivery.Attempt);
        try
        {
            outcome = await SendAsync(delivery, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down mid-attempt: hand the delivery back so this node (after a restart) or another sends it at once.
            using var release = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _store.ReleaseWebhookLeaseAsync(delivery.Id, delivery.LeaseToken, release.Token).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                LogStoreFailed(_logger, ex.Message);
            }

            return;
        }

        var at = _time.GetUtcNow();
        DateTimeOffset? next = null;
        var result = outcome.Delivered ? "delivered" : delivery.Attempt < _options.MaxAttempts ? "retrying" : "failed";
        _telemetry.WebhookAttempted(result, _time.GetElapsedTime(started));
        span?.SetTag(TelemetryNames.Outcome, result);
        span?.SetTag("http.response.status_code", outcome.Status);
        if (!outcome.Delivered)
        {
            span?.SetStatus(ActivityStatusCode.Error, outcome.Error);
        }

        if (outcome.Delivered)
        {
            LogDelivered(_logger, delivery.Id, delivery.EventType, target, delivery.Attempt, outcome.Status ?? 0);
        }
        else if (delivery.Attempt < _options.MaxAttempts)
        {
            var delay = RetryDelay(_options.EffectiveRetrySchedule, delivery.Attempt, Random.Shared.NextDouble());
            next = at + delay;
            LogAttemptFailed(_logger, delivery.Id, delivery.EventType, target, delivery.Attempt, delay.TotalSeconds, outcome.Reason);
        }
        else
        {
            LogGaveUp(_logger, delivery.Id, delivery.EventType, target, delivery.Attempt, outcome.Reason);
        }

        try
        {
            await _store.CompleteWebhookDeliveryAsync(delivery.Id, delivery.LeaseToken, outcome.Delivered, at, next, outcome.Status, outcome.Error, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The lease runs out and the delivery is sent again: at-least-once, same webhook-id.
            LogStoreFailed(_logger, ex.Message);
        }
    }

    private async Task<AttemptOutcome> SendAsync(ClaimedDelivery delivery, CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(Timeout);
        try
        {
            var body = Encoding.UTF8.GetBytes(delivery.Payload);
            var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
            using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.TryAddWithoutValidation(StandardWebhooks.IdHeader, delivery.Id);
            request.Headers.TryAddWithoutValidation(StandardWebhooks.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
            request.Headers.TryAddWithoutValidation(StandardWebhooks.SignatureHeader, StandardWebhooks.Sign(delivery.Secret, delivery.Id, timestamp, body));
            if (delivery.AuthRef is { } reference)
            {
                // A hand-off target authenticates the gateway by its bearer token; the signature headers go along unchanged.
                if (_bearerTokens(reference) is not { } bearer)
                {
                    return new AttemptOutcome(false, null, MissingTokenReason, MissingTokenReason);
                }

                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            }
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status is >= 200 and < 300)
            {
                return new AttemptOutcome(true, status, null, "");
            }

            // The body is never read: it is the receiver's (or, misconfigured, some internal service's) and stays there.
            var error = status is >= 300 and < 400 ? $"HTTP {status}: redirect not followed (subscribe the final URL)" : $"HTTP {status}";
            return new AttemptOutcome(false, status, error, error);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            var reason = string.Create(CultureInfo.InvariantCulture, $"timed out after {_options.TimeoutSeconds:0.###} s");
            return new AttemptOutcome(false, null, reason, reason);
        }
        catch (Exception ex) when (OutboundPolicy.IsRefused(ex))
        {
            // Logged with the address by the policy; the team sees only that it was refused, not what the name resolves to.
            return new AttemptOutcome(false, null, OutboundPolicy.RefusedReason, OutboundPolicy.RefusedReason);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return new AttemptOutcome(false, null, ConnectionFailedReason, $"{ConnectionFailedReason} ({ex.Message})");
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or UriFormatException)
        {
            return new AttemptOutcome(false, null, InvalidUrlReason, InvalidUrlReason);
        }
    }

    /// <summary>Scheme, host and port of a URL, for logs: paths and queries may carry the receiver's own tokens.</summary>
    private static string Describe(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority) : "(invalid URL)";

    [LoggerMessage(EventId = EventIds.WebhookDelivered, Level = LogLevel.Debug, Message = "Webhook {DeliveryId} ({EventType}) delivered to {Target} on attempt {Attempt} (HTTP {Status})")]
    private static partial void LogDelivered(ILogger logger, string deliveryId, string eventType, string target, int attempt, int status);

    [LoggerMessage(EventId = EventIds.WebhookAttemptFailed, Level = LogLevel.Warning, Message = "Webhook {DeliveryId} ({EventType}) to {Target} failed on attempt {Attempt}, retrying in {DelaySeconds:0.#} s: {Reason}")]
    private static partial void LogAttemptFailed(ILogger logger, string deliveryId, string eventType, string target, int attempt, double delaySeconds, string reason);

    [LoggerMessage(EventId = EventIds.WebhookGaveUp, Level = LogLevel.Error, Message = "Webhook {DeliveryId} ({EventType}) to {Target} failed after {Attempt} attempts; giving up (retry it with the API or CLI): {Reason}")]
    private static partial void LogGaveUp(ILogger logger, string deliveryId, string eventType, string target, int attempt, string reason);

    [LoggerMessage(EventId = EventIds.WebhookOutboxUnreachable, Level = LogLevel.Error, Message = "Webhook dispatcher could not reach the outbox, retrying: {Error}")]
    private static partial void LogStoreFailed(ILogger logger, string error);

    /// <param name="Delivered">2xx.</param>
    /// <param name="Status">The HTTP status, when there was a response.</param>
    /// <param name="Error">What <c>last_error</c> keeps: a fixed reason, never a response body.</param>
    /// <param name="Reason">What the log says (for the operator: may name the network error; never a response body).</param>
    private readonly record struct AttemptOutcome(bool Delivered, int? Status, string? Error, string Reason);
}
