using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Switchboard.Common;
using Switchboard.Control;
using Switchboard.Limits;
using Switchboard.Server.Api;

namespace Switchboard.Cli.Admin;

/// <summary>
/// The admin operations over the gateway's REST API (<c>/api/v1</c>) with an <c>X-API-Key</c>. Error responses
/// (problem+json) become <see cref="AdminException"/>s carrying the status, title, detail and field errors.
/// Names and key prefixes are resolved to ids by listing, since the API addresses resources by id.
/// </summary>
internal sealed class HttpAdminClient : IAdminClient
{
    private const string ApiKeyHeader = "X-API-Key";
    private readonly HttpClient _http;

    /// <param name="server">The gateway's base URL (<c>http://host:5050</c>); a path prefix is kept.</param>
    /// <param name="apiKey">The API key sent with every request (never printed).</param>
    public HttpAdminClient(Uri server, string apiKey)
    {
        Server = server;
        _http = new HttpClient();
        _http.BaseAddress = new Uri(server.AbsoluteUri.TrimEnd('/') + "/api/v1/");
        _http.Timeout = TimeSpan.FromSeconds(30);
        _http.DefaultRequestHeaders.TryAddWithoutValidation(ApiKeyHeader, apiKey);
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
    }

    public Uri Server { get; }

    public async Task<CreatedKeyResponse> CreateKeyAsync(string name, IReadOnlyList<string> scopes, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.Serialize(new CreateKeyRequest { Name = name, Scopes = scopes }, AdminJson.Wire.CreateKeyRequest);
        return await SendAsync(HttpMethod.Post, "keys", body, AdminJson.Context.CreatedKeyResponse, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<KeyResponse>> ListKeysAsync(CancellationToken cancellationToken) =>
        (await SendAsync(HttpMethod.Get, "keys", null, AdminJson.Context.KeyListResponse, cancellationToken).ConfigureAwait(false)).Keys;

    public async Task<KeyRevocation> RevokeKeyAsync(string idOrPrefix, CancellationToken cancellationToken)
    {
        var keys = await ListKeysAsync(cancellationToken).ConfigureAwait(false);
        var prefix = ApiKeyFormat.PrefixOf(idOrPrefix);
        var key = Guid.TryParse(idOrPrefix, out var id)
            ? keys.FirstOrDefault(k => k.Id == id)
            : keys.FirstOrDefault(k => prefix is not null && string.Equals(k.Prefix, prefix, StringComparison.Ordinal));
        if (key is null)
        {
            throw new AdminException(AdminErrorKind.NotFound, $"no API key '{idOrPrefix}' in this key's team");
        }

        await SendAsync(HttpMethod.Delete, "keys/" + key.Id.ToString("D"), null, cancellationToken).ConfigureAwait(false);
        var after = (await ListKeysAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(k => k.Id == key.Id)
            ?? key with { RevokedAt = DateTimeOffset.UtcNow };
        return new KeyRevocation(after, key.RevokedAt is not null);
    }

    public async Task<EndpointList> ListEndpointsAsync(int page, int limit, CancellationToken cancellationToken)
    {
        var path = string.Create(CultureInfo.InvariantCulture, $"endpoints?page={page}&limit={limit}");
        using var doc = await SendAsync(HttpMethod.Get, path, null, cancellationToken).ConfigureAwait(false);
        return Read(path, () =>
        {
            var root = doc.RootElement;
            var endpoints = root.GetProperty("endpoints").EnumerateArray()
                .Select(e => AdminJson.EndpointFromJson(JsonObject.Create(e)!))
                .ToList();
            var pagination = root.GetProperty("pagination").Deserialize(AdminJson.Context.PaginationInfo) ?? PaginationInfo.For(new PageRequest(page, limit), endpoints.Count);
            return new EndpointList(endpoints, pagination);
        });
    }

    public async Task<EndpointView> GetEndpointAsync(string idOrName, CancellationToken cancellationToken) =>
        await FindEndpointAsync(idOrName, cancellationToken).ConfigureAwait(false);

    public async Task<EndpointView> CreateEndpointAsync(JsonObject body, CancellationToken cancellationToken) =>
        await SendEndpointAsync(HttpMethod.Post, "endpoints", body, cancellationToken).ConfigureAwait(false);

    public async Task<EndpointView> UpdateEndpointAsync(string idOrName, JsonObject patch, CancellationToken cancellationToken)
    {
        var endpoint = await FindEndpointAsync(idOrName, cancellationToken).ConfigureAwait(false);
        return await SendEndpointAsync(HttpMethod.Patch, "endpoints/" + endpoint.Id.ToString("D"), patch, cancellationToken).ConfigureAwait(false);
    }

    public async Task<EndpointView> DeleteEndpointAsync(string idOrName, CancellationToken cancellationToken)
    {
        var endpoint = await FindEndpointAsync(idOrName, cancellationToken).ConfigureAwait(false);
        await SendAsync(HttpMethod.Delete, "endpoints/" + endpoint.Id.ToString("D"), null, cancellationToken).ConfigureAwait(false);
        return endpoint;
    }

    public async Task<CallListResponse> ListCallsAsync(int page, int limit, CancellationToken cancellationToken) =>
        await SendAsync(HttpMethod.Get, string.Create(CultureInfo.InvariantCulture, $"calls?page={page}&limit={limit}"), null, AdminJson.Context.CallListResponse, cancellationToken).ConfigureAwait(false);

    public async Task<CallDetail> GetCallAsync(string callId, CancellationToken cancellationToken)
    {
        var path = "calls/" + Uri.EscapeDataString(callId);
        using var doc = await SendAsync(HttpMethod.Get, path, null, cancellationToken).ConfigureAwait(false);
        return Read(path, () => AdminJson.CallDetailFromJson(doc.RootElement));
    }

    public async Task<CallListResponse> ListLiveCallsAsync(int page, int limit, CancellationToken cancellationToken) =>
        await SendAsync(HttpMethod.Get, string.Create(CultureInfo.InvariantCulture, $"calls?status=live&page={page}&limit={limit}"), null, AdminJson.Context.CallListResponse, cancellationToken).ConfigureAwait(false);

    public async Task<HangupResponse> HangUpCallAsync(string callId, string? reason, string? say, CancellationToken cancellationToken)
    {
        var body = reason is null && say is null ? null : JsonSerializer.Serialize(new HangupRequest { Reason = reason, Say = say }, AdminJson.Wire.HangupRequest);
        return await SendAsync(HttpMethod.Post, "calls/" + Uri.EscapeDataString(callId) + "/hangup", body, AdminJson.Context.HangupResponse, cancellationToken).ConfigureAwait(false);
    }

    public async Task<DrainResponse> DrainAsync(CancellationToken cancellationToken) =>
        await SendAsync(HttpMethod.Post, "admin/drain", null, AdminJson.Context.DrainResponse, cancellationToken).ConfigureAwait(false);

    public async Task<TeamDetail> GetTeamAsync(CancellationToken cancellationToken) =>
        await SendAsync(HttpMethod.Get, "team", null, AdminJson.Context.TeamDetail, cancellationToken).ConfigureAwait(false);

    public async Task<TeamDetail> UpdateTeamLimitsAsync(JsonObject limits, CancellationToken cancellationToken) =>
        await SendAsync(HttpMethod.Patch, "team", new JsonObject { ["limits"] = limits.DeepClone() }.ToJsonString(), AdminJson.Context.TeamDetail, cancellationToken).ConfigureAwait(false);

    public async Task<UsageReport> GetUsageAsync(string? from, string? to, string? endpoint, CancellationToken cancellationToken)
    {
        var query = new List<string>();
        if (from is not null)
        {
            query.Add("from=" + Uri.EscapeDataString(from));
        }

        if (to is not null)
        {
            query.Add("to=" + Uri.EscapeDataString(to));
        }

        if (endpoint is not null)
        {
            // An id goes as it is (READ_CALLS is enough); a name is looked up in the endpoint listing (READ_TEAM_APPS).
            var id = Guid.TryParse(endpoint, out var given) ? given : (await FindEndpointAsync(endpoint, cancellationToken).ConfigureAwait(false)).Id;
            query.Add("endpointId=" + id.ToString("D"));
        }

        var path = "usage" + (query.Count == 0 ? "" : "?" + string.Join('&', query));
        return await SendAsync(HttpMethod.Get, path, null, AdminJson.Context.UsageReport, cancellationToken).ConfigureAwait(false);
    }

    public async Task<CreatedWebhookResponse> CreateWebhookAsync(string url, IReadOnlyList<string> eventTypes, string? endpoint, CancellationToken cancellationToken)
    {
        Guid? endpointId = endpoint is null ? null : (await FindEndpointAsync(endpoint, cancellationToken).ConfigureAwait(false)).Id;
        var request = new CreateWebhookRequest { Url = url, EventTypes = eventTypes, EndpointId = endpointId };
        var body = JsonSerializer.Serialize(request, AdminJson.Wire.CreateWebhookRequest);
        return await SendAsync(HttpMethod.Post, "webhooks", body, AdminJson.Context.CreatedWebhookResponse, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<WebhookResponse>> ListWebhooksAsync(CancellationToken cancellationToken) =>
        (await SendAsync(HttpMethod.Get, "webhooks", null, AdminJson.Context.WebhookListResponse, cancellationToken).ConfigureAwait(false)).Webhooks;

    public async Task<WebhookResponse> DeleteWebhookAsync(string id, CancellationToken cancellationToken)
    {
        var path = "webhooks/" + Uri.EscapeDataString(id);
        var webhook = await SendAsync(HttpMethod.Get, path, null, AdminJson.Context.WebhookResponse, cancellationToken).ConfigureAwait(false);
        await SendAsync(HttpMethod.Delete, path, null, cancellationToken).ConfigureAwait(false);
        return webhook;
    }

    public async Task<WebhookDeliveryListResponse> ListDeliveriesAsync(string? status, int page, int limit, CancellationToken cancellationToken)
    {
        var path = string.Create(CultureInfo.InvariantCulture, $"webhooks/deliveries?page={page}&limit={limit}") + (status is null ? "" : "&status=" + Uri.EscapeDataString(status));
        return await SendAsync(HttpMethod.Get, path, null, AdminJson.Context.WebhookDeliveryListResponse, cancellationToken).ConfigureAwait(false);
    }

    public async Task<WebhookDeliveryResponse> RetryDeliveryAsync(string id, CancellationToken cancellationToken) =>
        await SendAsync(HttpMethod.Post, "webhooks/deliveries/" + Uri.EscapeDataString(id) + "/retry", null, AdminJson.Context.WebhookDeliveryResponse, cancellationToken).ConfigureAwait(false);

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>By id first (a 404 falls through), then by name over every page of the listing.</summary>
    private async Task<EndpointView> FindEndpointAsync(string idOrName, CancellationToken cancellationToken)
    {
        if (Guid.TryParse(idOrName, out var id))
        {
            try
            {
                var path = "endpoints/" + id.ToString("D");
                using var doc = await SendAsync(HttpMethod.Get, path, null, cancellationToken).ConfigureAwait(false);
                return Read(path, () => AdminJson.EndpointFromJson(JsonObject.Create(doc.RootElement)!));
            }
            catch (AdminException ex) when (ex.Kind == AdminErrorKind.NotFound)
            {
            }
        }

        for (var page = 1; ; page++)
        {
            var list = await ListEndpointsAsync(page, PageRequest.MaxLimit, cancellationToken).ConfigureAwait(false);
            if (list.Endpoints.FirstOrDefault(e => string.Equals(e.Name, idOrName, StringComparison.Ordinal)) is { } found)
            {
                return found;
            }

            if (!list.Pagination.HasMore || list.Endpoints.Count == 0)
            {
                throw new AdminException(AdminErrorKind.NotFound, $"no endpoint '{idOrName}' in this key's team");
            }
        }
    }

    private async Task<EndpointView> SendEndpointAsync(HttpMethod method, string path, JsonObject body, CancellationToken cancellationToken)
    {
        using var doc = await SendAsync(method, path, body.ToJsonString(), cancellationToken).ConfigureAwait(false);
        return Read(path, () => AdminJson.EndpointFromJson(JsonObject.Create(doc.RootElement)!));
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, string? body, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using var doc = await SendAsync(method, path, body, cancellationToken).ConfigureAwait(false);
        return Read(path, () => doc.RootElement.Deserialize(type)) ?? throw Malformed(path, "an empty body");
    }

    /// <summary>Sends a request; the parsed JSON body of a success (an empty object for 204), an <see cref="AdminException"/> otherwise.</summary>
    private async Task<JsonDocument> SendAsync(HttpMethod method, string path, string? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        HttpResponseMessage? response = null;
        string text;
        try
        {
            response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            response?.Dispose();
            throw AdminException.Unavailable($"cannot reach the gateway at {Server}: {ex.Message}", ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            response?.Dispose();
            throw AdminException.Unavailable($"the gateway at {Server} did not answer within {_http.Timeout.TotalSeconds:0} s", ex);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw ToException(response, text);
            }

            try
            {
                return JsonDocument.Parse(string.IsNullOrWhiteSpace(text) ? "{}" : text, AdminJson.DocumentOptions);
            }
            catch (JsonException ex)
            {
                throw Malformed(path, ex.Message);
            }
        }
    }

    /// <summary>Reads a parsed response; a body that does not have the contract's shape is an API error, not a crash.</summary>
    private T Read<T>(string path, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or KeyNotFoundException or NotSupportedException)
        {
            throw Malformed(path, ex.Message);
        }
    }

    private static AdminException ToException(HttpResponseMessage response, string body)
    {
        var status = (int)response.StatusCode;
        HttpValidationProblemDetails? problem = null;
        try
        {
            problem = string.IsNullOrWhiteSpace(body) ? null : JsonSerializer.Deserialize(body, AdminJson.Context.HttpValidationProblemDetails);
        }
        catch (JsonException)
        {
            // Not problem+json (a proxy's error page, say): fall back to the status line and the start of the body.
        }

        var title = problem?.Title ?? response.ReasonPhrase ?? response.StatusCode.ToString();
        var detail = problem?.Detail ?? (problem is null && body.Length > 0 ? body[..Math.Min(body.Length, 200)].Trim() : title);
        var kind = response.StatusCode switch
        {
            HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity => AdminErrorKind.Invalid,
            HttpStatusCode.NotFound => AdminErrorKind.NotFound,
            HttpStatusCode.Conflict => AdminErrorKind.Conflict,
            HttpStatusCode.Unauthorized => AdminErrorKind.Unauthorized,
            HttpStatusCode.Forbidden => AdminErrorKind.Forbidden,
            HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout => AdminErrorKind.Unavailable,
            _ => AdminErrorKind.Failed,
        };
        var errors = problem?.Errors is { } fields ? new Dictionary<string, string[]>(fields, StringComparer.Ordinal) : null;
        return new AdminException(kind, detail, status, title, errors);
    }

    private AdminException Malformed(string path, string reason) =>
        new(AdminErrorKind.Failed, $"unexpected response from {Server} for {path}: {reason}");
}
