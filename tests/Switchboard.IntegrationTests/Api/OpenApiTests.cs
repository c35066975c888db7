using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Switchboard.IntegrationTests.Api;

/// <summary>
/// The OpenAPI document covers every mapped route, and the reference page serves it. Deliberately left out:
/// the document itself and the reference page (they describe the API, they are not part of it), the talk page with
/// its files and its keyless demo routes (for people and the page, not the keyed API), and WebSocket endpoints
/// mapped without an HTTP method (carrier media streams and the session socket), which OpenAPI cannot describe, and the
/// Telegram channel's routes (the Mini App's, the bot webhook, the operator's control routes for <c>switchboard ctl</c>): they
/// are authenticated by launch tokens, initData, Telegram's secret token and <c>REALTIME_CONTROL_SECRET</c>, not API keys, and
/// are described in docs/telegram.md.
/// Any other route, including ones added later, must appear with each of its methods.
/// </summary>
public class OpenApiTests : IClassFixture<ApiGateway>
{
    private static readonly HashSet<string> DescribeTheApi = new(StringComparer.Ordinal) { "/openapi/{documentName}.json", "/docs/api" };
    private static readonly HashSet<string> ForThePage = new(StringComparer.Ordinal) { "/", "/app/{path}", "/sdk/{path}", "/demo/config", "/demo/sessions", "/ops", "/ops/{path}" };

    /// <summary>The Prometheus scrape endpoint: its own text format, not the REST API (docs/observability.md).</summary>
    private static readonly HashSet<string> ForPrometheus = new(StringComparer.Ordinal) { "/metrics" };
    private static readonly HashSet<string> WebSocketRoutes = new(StringComparer.Ordinal) { "/twilio", "/telnyx", "/ws/session", "/ws/call", "/ws/bridge", "/ws/twilio" };
    private static readonly HashSet<string> ForTelegram = new(StringComparer.Ordinal)
    {
        "/miniapp", "/api/call/bootstrap", "/api/call/hangup", "/api/call/finalize", "/telegram/webhook",
        "/api/ctl/status", "/api/call/status", "/api/call/arm", "/api/call/disarm", "/api/capabilities",
    };

    private readonly ApiGateway _api;

    public OpenApiTests(ApiGateway api) => _api = api;

    private async Task<JsonElement> DocumentAsync()
    {
        using var http = _api.Client();
        using var response = await http.GetAsync("/openapi/v1.json");
        return await ApiGateway.ReadJsonAsync(response, HttpStatusCode.OK);
    }

    private static string PathOf(RoutePattern pattern) =>
        "/" + string.Join("/", pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternParameterPart parameter => "{" + parameter.Name + "}",
            RoutePatternSeparatorPart separator => separator.Content,
            _ => "",
        }))));

    private IEnumerable<RouteEndpoint> MappedRoutes() =>
        ((IEndpointRouteBuilder)_api.Gateway.App).DataSources.SelectMany(source => source.Endpoints).OfType<RouteEndpoint>();

    [Fact]
    public async Task EveryMappedRoute_IsInTheDocumentWithEachMethod()
    {
        var paths = (await DocumentAsync()).GetProperty("paths");
        var routes = MappedRoutes().ToList();
        Assert.True(routes.Count >= 15, $"only {routes.Count} routes found");
        var documented = 0;
        var excluded = new HashSet<string>(StringComparer.Ordinal);
        foreach (var route in routes)
        {
            var path = PathOf(route.RoutePattern);
            var methods = route.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [];
            if (route.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>()?.ExcludeFromDescription == true)
            {
                Assert.True(DescribeTheApi.Contains(path) || ForThePage.Contains(path) || WebSocketRoutes.Contains(path) || ForTelegram.Contains(path) || ForPrometheus.Contains(path), $"{path} is excluded from the OpenAPI document without a reason listed here");
                excluded.Add(path);
                continue;
            }

            if (methods.Count == 0)
            {
                Assert.True(WebSocketRoutes.Contains(path), $"{path} has no HTTP method, so the document cannot show it; map it with MapGet/MapPost/…");
                continue;
            }

            Assert.True(paths.TryGetProperty(path, out var item), $"{path} is mapped but not in /openapi/v1.json");
            foreach (var method in methods)
            {
                Assert.True(item.TryGetProperty(method.ToLowerInvariant(), out var operation), $"{method} {path} is mapped but not in /openapi/v1.json");
                Assert.False(string.IsNullOrWhiteSpace(operation.TryGetProperty("summary", out var summary) ? summary.GetString() : null), $"{method} {path} has no summary");
                documented++;
            }
        }

        Assert.Subset(excluded, DescribeTheApi);
        Assert.Subset(excluded, ForThePage);
        Assert.Subset(excluded, ForTelegram);
        Assert.True(documented >= 15, $"only {documented} operations documented");

        // And nothing is documented that is not mapped.
        var mapped = routes.Select(r => PathOf(r.RoutePattern)).ToHashSet(StringComparer.Ordinal);
        foreach (var documentedPath in paths.EnumerateObject())
        {
            Assert.Contains(documentedPath.Name, mapped);
        }
    }

    /// <summary>Routes under <c>/api/</c> that take no API key (inbound webhooks with their own credentials).</summary>
    private static readonly HashSet<string> KeylessApiPaths = new(StringComparer.Ordinal) { "/api/v1/webhooks/tobi/{channelId}" };

    [Fact]
    public async Task ApiOperations_DeclareTheApiKeySchemeTheirScopesAndAuthErrors()
    {
        var document = await DocumentAsync();
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal(("apiKey", "header", "X-API-Key"), (scheme.GetProperty("type").GetString(), scheme.GetProperty("in").GetString(), scheme.GetProperty("name").GetString()));

        var apiOperations = 0;
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var secured = operation.Value.TryGetProperty("security", out var security);
                // Inbound webhooks under /api/ authenticate by their own token, not an API key.
                if (!path.Name.StartsWith("/api/", StringComparison.Ordinal) || KeylessApiPaths.Contains(path.Name))
                {
                    Assert.False(secured, $"{operation.Name} {path.Name} needs no key but declares security");
                    continue;
                }

                apiOperations++;
                Assert.True(secured, $"{operation.Name} {path.Name} declares no security");
                Assert.True(security[0].TryGetProperty("ApiKey", out _), $"{operation.Name} {path.Name} does not use the ApiKey scheme");
                Assert.True(operation.Value.TryGetProperty("x-required-scopes", out _), $"{operation.Name} {path.Name} does not list its scopes");
                var responses = operation.Value.GetProperty("responses");
                Assert.True(responses.TryGetProperty("401", out _) && responses.TryGetProperty("403", out _), $"{operation.Name} {path.Name} lacks 401/403");
                Assert.True(responses.TryGetProperty("429", out _), $"{operation.Name} {path.Name} lacks 429 (rate limits)");
            }
        }

        Assert.True(apiOperations >= 12);
        var twiml = document.GetProperty("paths").GetProperty("/twilio/twiml").GetProperty("post").GetProperty("responses");
        Assert.True(twiml.TryGetProperty("429", out _), "POST /twilio/twiml lacks 429 (rate limits)");
        var listCalls = document.GetProperty("paths").GetProperty("/api/v1/calls").GetProperty("get");
        Assert.Equal(["READ_CALLS", "MANAGE_CALLS"], listCalls.GetProperty("x-required-scopes").EnumerateArray().Select(s => s.GetString()!).ToArray());
        var limit = listCalls.GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "limit").GetProperty("schema");
        Assert.Equal(("integer", 1, 100, 20), (limit.GetProperty("type").GetString(), limit.GetProperty("minimum").GetInt32(), limit.GetProperty("maximum").GetInt32(), limit.GetProperty("default").GetInt32()));
    }

    [Fact]
    public async Task EndpointRequestSchemas_MatchTheEndpointObjectsWritableFields()
    {
        var document = await DocumentAsync();
        var schemas = document.GetProperty("components").GetProperty("schemas");
        JsonElement Resolve(JsonElement schema) =>
            schema.TryGetProperty("$ref", out var reference) ? schemas.GetProperty(reference.GetString()!.Split('/')[^1]) : schema;
        JsonElement BodySchema(string path, string method) =>
            Resolve(document.GetProperty("paths").GetProperty(path).GetProperty(method).GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema"));

        var endpoint = Resolve(document.GetProperty("paths").GetProperty("/api/v1/endpoints/{id}").GetProperty("get").GetProperty("responses").GetProperty("200")
            .GetProperty("content").GetProperty("application/json").GetProperty("schema"));
        var writable = endpoint.GetProperty("properties").EnumerateObject().Select(p => p.Name).Except(["id", "createdAt", "updatedAt"]).Order().ToArray();

        foreach (var (path, method) in new[] { ("/api/v1/endpoints", "post"), ("/api/v1/endpoints/{id}", "put"), ("/api/v1/endpoints/{id}", "patch") })
        {
            var body = BodySchema(path, method);
            Assert.Equal(writable, body.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order().ToArray());
            var required = body.TryGetProperty("required", out var r) ? r.EnumerateArray().Select(x => x.GetString()).ToArray() : [];
            Assert.Equal(method == "patch" ? [] : new[] { "name" }, required);
        }
    }

    [Fact]
    public async Task OperatorRoutes_DeclareTheirScopesAndBodies()
    {
        var paths = (await DocumentAsync()).GetProperty("paths");
        string[] Scopes(string path, string method) =>
            paths.GetProperty(path).GetProperty(method).GetProperty("x-required-scopes").EnumerateArray().Select(s => s.GetString()!).ToArray();

        Assert.Equal(["ADMIN"], Scopes("/api/v1/team", "patch"));
        Assert.True(paths.GetProperty("/api/v1/team").GetProperty("patch").GetProperty("requestBody").GetProperty("required").GetBoolean());
        Assert.Equal(["READ_CALLS"], Scopes("/api/v1/usage", "get"));
        Assert.Equal(["MANAGE_CALLS"], Scopes("/api/v1/calls/{id}/hangup", "post"));
        var hangup = paths.GetProperty("/api/v1/calls/{id}/hangup").GetProperty("post");
        Assert.False(hangup.GetProperty("requestBody").TryGetProperty("required", out var required) && required.GetBoolean()); // the body may be left out
        Assert.True(hangup.GetProperty("responses").TryGetProperty("202", out _));
        Assert.Contains(paths.GetProperty("/api/v1/calls").GetProperty("get").GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "status");
    }

    [Fact]
    public async Task LimitSchemas_ShowEveryEndpointAndTeamLimit()
    {
        var schemas = (await DocumentAsync()).GetProperty("components").GetProperty("schemas");
        string[] Properties(string schema) => schemas.GetProperty(schema).GetProperty("properties").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(
            ["callWarningSeconds", "idleTimeoutSeconds", "idleWarningSeconds", "maxCallCostUsd", "maxCallSeconds", "maxConcurrentCalls", "maxDailyCallSeconds", "maxDailyCostUsd", "sessionTtlSeconds"],
            Properties("LimitsSpec"));
        Assert.Equal(["maxCallCostUsd", "maxCallSeconds", "maxConcurrentCalls", "maxDailyCallSeconds", "maxDailyCostUsd", "timeZone"], Properties("TeamLimits"));
    }

    [Fact]
    public async Task ReferencePage_IsSelfContainedHtmlThatLoadsTheDocument()
    {
        using var http = _api.Client();
        using var response = await http.GetAsync("/docs/api");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Contains("\"../openapi/v1.json\"", html, StringComparison.Ordinal);

        // Offline machines: nothing is loaded from elsewhere.
        Assert.DoesNotMatch("(src|href)\\s*=\\s*\"(https?:)?//", html);
        Assert.DoesNotContain("@import", html, StringComparison.Ordinal);

        // The relative URL the page fetches resolves to the document.
        var documentUrl = new Uri(new Uri(_api.Gateway.BaseUrl + "/docs/api"), "../openapi/v1.json");
        using var document = await http.GetAsync(documentUrl);
        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
        Assert.Equal("3.1", JsonDocument.Parse(await document.Content.ReadAsStringAsync()).RootElement.GetProperty("openapi").GetString()![..3]);
    }
}
