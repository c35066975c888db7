using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Switchboard.Control;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.IntegrationTests.Sessions;

namespace Switchboard.IntegrationTests.Api;

/// <summary>
/// Issue 21, part 1: hostile JSON in every documented request body, against a real gateway. Property-based (CsCheck, fixed
/// seed and iteration count, so CI is deterministic): a documented body with one of its values replaced by a lone surrogate,
/// a null, a list holding null, deep nesting, a number out of range or a wrong type, a duplicated field, invalid UTF-8, a
/// truncated body, something other than an object, or a 16 MiB body. Never a 5xx; every 4xx is a problem document; the
/// shapes the gateway must refuse are refused, naming the field where the API names fields.
/// </summary>
public sealed class HostileJsonTests : IAsyncLifetime
{
    /// <summary>A CsCheck seed (the run is the same on every machine); change it to explore, keep it fixed in the repository.</summary>
    private const string Seed = "0000hostile1";

    private const int Iterations = 320;

    private const string Marker = "__hostile_marker__";

    private static readonly string[] Surrogates = ["\"\\ud800\"", "\"x\\udfffy\"", "\"\\ud800\\u0041\"", "\"ok\\udbff\""];

    private static readonly string[] HugeNumbers = ["1e400", "-1e400", "1.7976931348623157e309", "-9e99999"];

    private static readonly string[] WrongTypes = ["true", "0", "-1", "\"s\"", "\"\"", "{}", "[]", "[[]]", "{\"a\":{}}", "12345678901234567890", "0.5", "null", "{\"x\":null}"];

    private static readonly byte[][] InvalidUtf8 = [[0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xF4, 0x90, 0x80, 0x80], [0x80, 0x80]];

    private GatewayFixture? _gateway;
    private List<Route> _routes = [];
    private string _key = "";

    /// <summary>What a generated request does to its documented body.</summary>
    private enum Mutation
    {
        /// <summary>One value becomes a string holding a lone UTF-16 surrogate escape.</summary>
        Surrogate,

        /// <summary>One value becomes a number no double can hold.</summary>
        HugeNumber,

        /// <summary>One value becomes a list holding null.</summary>
        NullItem,

        /// <summary>One value becomes a nesting deeper than the gateway reads.</summary>
        DeepNesting,

        /// <summary>One value becomes a value of another type (or null).</summary>
        WrongType,

        /// <summary>One object gets its first field a second time.</summary>
        DuplicateField,

        /// <summary>One string gets bytes that are not UTF-8.</summary>
        InvalidUtf8,

        /// <summary>One string gets random UTF-16 code units, each written as a \u escape (lone surrogates among them).</summary>
        RandomEscapes,

        /// <summary>The body is cut short.</summary>
        Truncated,

        /// <summary>The body is 16 MiB.</summary>
        Huge,
    }

    public async Task InitializeAsync()
    {
        var settings = SessionApi.Settings();
        settings["Switchboard:RateLimits:Enabled"] = "false";
        settings["Switchboard:Demo:Enabled"] = "true";
        settings["Switchboard:Sip:InsecureSkipSignature"] = "true";
        settings["Switchboard:Sip:ApiBaseUrl"] = "http://127.0.0.1:9/v1";
        _gateway = await GatewayFixture.StartAsync(settings);
        _key = await SessionApi.CreateKeyAsync(_gateway, ApiScopes.Admin);
        var target = await SessionApi.CreateEndpointAsync(_gateway, new Switchboard.Agents.AgentSpec(), name: "target");
        var defaultEndpoint = SessionApi.DefaultEndpoint(_gateway).Id;
        const string Endpoint = """
            {"name":"fuzzed","voice":"cedar","instructions":"Be brief.","greeting":"Hi there.","phoneNumbers":["+15551230000"],
             "turnDetection":{"type":"server_vad","threshold":0.5,"prefixPaddingMs":300,"silenceDurationMs":500},
             "limits":{"maxCallSeconds":600,"idleTimeoutSeconds":30,"maxCallCostUsd":1.5},
             "tools":[{"name":"lookup","description":"Look an order up","parameters":{"type":"object","properties":{"order":{"type":"string"}},"required":["order"]},
                       "timeoutSeconds":5,"http":{"url":"https://example.com/lookup","method":"POST"}}],
             "modes":["text","voice_conversation"],"carriers":["twilio","websocket"],
             "flows":[{"name":"billing","description":"Billing questions","greeting":"Billing here."}],
             "browserActions":[{"name":"show","description":"Show a message"}],
             "transfer":{"targets":[{"name":"desk","to":"+15557654321","description":"Front desk"}]}}
            """;
        _routes =
        [
            new("create endpoint", HttpMethod.Post, "/api/v1/endpoints", Endpoint, NamesFields: true),
            new("replace endpoint", HttpMethod.Put, $"/api/v1/endpoints/{target.Id:D}", Endpoint.Replace("fuzzed", "target", StringComparison.Ordinal), NamesFields: true),
            new("update endpoint", HttpMethod.Patch, $"/api/v1/endpoints/{target.Id:D}", """{"greeting":"Hello.","tools":[],"limits":{"maxCallSeconds":300}}""", NamesFields: true),
            new("create key", HttpMethod.Post, "/api/v1/keys", """{"name":"ci","scopes":["READ_CALLS","MANAGE_ENDPOINTS"]}""", NamesFields: true),
            new("create webhook", HttpMethod.Post, "/api/v1/webhooks", """{"url":"https://example.com/hook","eventTypes":["call.ended","tool.failed"]}""", NamesFields: true),
            new("update team", HttpMethod.Patch, "/api/v1/team", """{"limits":{"maxCallSeconds":600,"maxConcurrentCalls":10,"maxDailyCostUsd":2.5,"timeZone":"Europe/Berlin"}}""", NamesFields: true),
            new("create session", HttpMethod.Post, "/api/v1/sessions", $$"""{"endpointId":"{{defaultEndpoint:D}}","mode":"text","flow":null}""", NamesFields: true),
            new("demo session", HttpMethod.Post, "/demo/sessions", """{"mode":"text"}""", NamesFields: true),
            new("SIP connector webhook", HttpMethod.Post, "/openai/webhook",
                """{"object":"event","id":"evt_1","type":"realtime.call.ended","created_at":1750000000,"data":{"call_id":"rtc_1","sip_headers":[{"name":"From","value":"<sip:a@b>"}]}}""",
                NamesFields: false),
        ];
    }

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }
    }

    [Fact]
    public async Task EveryBody_GeneratedHostileJson_NeverA5xx_AndEvery4xxIsAProblem()
    {
        using var http = Client();
        var gen = Gen.Select(Gen.Int[0, _routes.Count - 1], Gen.Frequency((30, Gen.Int[0, (int)Mutation.Truncated]), (1, Gen.Const((int)Mutation.Huge))),
            Gen.Int[0, 10_000], Gen.Int[0, 10_000], Gen.Char.Array[1, 6]);
        var sent = 0;
        await gen.SampleAsync(async (route, mutation, where, what, chars) =>
        {
            var request = Build(_routes[route], (Mutation)mutation, where, what, chars);
            await SendAndCheckAsync(http, request);
            sent++;
        }, seed: Seed, iter: Iterations, threads: 1, print: t => $"{_routes[t.Item1].Name}, {(Mutation)t.Item2}, {t.Item3}, {t.Item4}");
        Assert.Equal(Iterations, sent);
    }

    /// <summary>The shapes of the issue, each in each body, deterministically: each must be a 4xx problem (400 naming the field).</summary>
    [Fact]
    public async Task EveryBody_KnownHostileShapes_AreRefusedWithAProblemNamingTheField()
    {
        using var http = Client();
        foreach (var route in _routes)
        {
            var paths = ValuePaths(route.Body);
            foreach (var mutation in new[] { Mutation.Surrogate, Mutation.HugeNumber, Mutation.NullItem, Mutation.InvalidUtf8, Mutation.DuplicateField, Mutation.DeepNesting, Mutation.Huge })
            {
                // The first field and the most deeply nested one: a string nested in a list of objects catches per-handler gaps.
                foreach (var where in new[] { 1, paths.IndexOf(paths.MaxBy(p => p.Count(c => c is '.' or '['))!) })
                {
                    await SendAndCheckAsync(http, Build(route, mutation, where, 0, ['\ud800']));
                }
            }
        }
    }

    private HttpClient Client()
    {
        var http = new HttpClient { BaseAddress = new Uri(_gateway!.BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("X-API-Key", _key);
        return http;
    }

    private static async Task SendAndCheckAsync(HttpClient http, HostileRequest hostile)
    {
        using var message = new HttpRequestMessage(hostile.Route.Method, hostile.Route.Path) { Content = new ByteArrayContent(hostile.Body) };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.SendAsync(message);
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync();
        var what = $"{hostile.Route.Name} ({hostile.Description}) answered {status}: {Excerpt(text)}";
        Assert.True(status < 500, what);
        if (status >= 400)
        {
            Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", what);
            var problem = JsonDocument.Parse(text).RootElement;
            Assert.True(problem.TryGetProperty("status", out var statusField) && statusField.GetInt32() == status, what);
        }

        if (!hostile.MustRefuse)
        {
            return;
        }

        Assert.True(status is >= 400 and < 500 and not 404 and not 409, what);
        if (hostile.Field is { Length: > 0 } field && hostile.Route.NamesFields && status == 400)
        {
            var problem = JsonDocument.Parse(text).RootElement;
            Assert.True(problem.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out _), $"{what}; expected errors['{field}']");
        }
    }

    /// <summary>The request for one generated case; <paramref name="where"/> picks the value, <paramref name="what"/> the hostile text.</summary>
    private static HostileRequest Build(Route route, Mutation mutation, int where, int what, char[] chars)
    {
        var paths = ValuePaths(route.Body);
        var path = paths[where % paths.Count];
        var field = path.Length > 1 ? path[2..] : "";
        switch (mutation)
        {
            case Mutation.Surrogate:
                return Replace(route, path, Surrogates[what % Surrogates.Length], "lone surrogate at " + path, mustRefuse: true, field);
            case Mutation.HugeNumber:
                return Replace(route, path, HugeNumbers[what % HugeNumbers.Length], "huge number at " + path, mustRefuse: true, field);
            case Mutation.NullItem:
                return Replace(route, path, what % 2 == 0 ? "[null]" : "[\"a\",null]", "null list item at " + path, mustRefuse: true, field + (what % 2 == 0 ? "[0]" : "[1]"));
            case Mutation.DeepNesting:
                var depth = 33 + (what % 200);
                var deep = what % 2 == 0 ? new string('[', depth) + new string(']', depth) : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);
                return Replace(route, path, deep, $"nesting {depth} deep at {path}", mustRefuse: true, null);
            case Mutation.WrongType:
                return Replace(route, path, WrongTypes[what % WrongTypes.Length], $"{WrongTypes[what % WrongTypes.Length]} at {path}", mustRefuse: false, null);
            case Mutation.RandomEscapes:
                var escaped = "\"" + string.Concat(chars.Select(c => $"\\u{(int)c:x4}")) + "\"";
                var lone = HasLoneSurrogate(chars);
                return Replace(route, path, escaped, $"{escaped} at {path}", mustRefuse: lone, lone ? field : null);
            case Mutation.DuplicateField:
                var objects = paths.Where(p => Find(JsonNode.Parse(route.Body)!, p) is JsonObject { Count: > 0 }).ToList();
                var target = objects[where % objects.Count];
                var copy = JsonNode.Parse(route.Body)!;
                var obj = (JsonObject)Find(copy, target)!;
                var (firstName, firstValue) = obj.First();
                obj[Marker] = firstValue?.DeepClone();
                var duplicated = copy.ToJsonString().Replace($"\"{Marker}\"", JsonSerializer.Serialize(firstName), StringComparison.Ordinal);
                return new HostileRequest(route, Encoding.UTF8.GetBytes(duplicated), $"duplicate '{firstName}' in {target}", MustRefuse: true, null);
            case Mutation.InvalidUtf8:
                var strings = paths.Where(p => Find(JsonNode.Parse(route.Body)!, p) is JsonValue v && v.GetValueKind() == JsonValueKind.String).ToList();
                var stringPath = strings[where % strings.Count];
                var bytes = InvalidUtf8[what % InvalidUtf8.Length];
                var text = ReplaceText(route.Body, stringPath, $"\"{Marker}\"");
                var at = text.IndexOf(Marker, StringComparison.Ordinal);
                var body = Encoding.UTF8.GetBytes(text[..at]).Concat(bytes).Concat(Encoding.UTF8.GetBytes(text[(at + Marker.Length)..])).ToArray();
                return new HostileRequest(route, body, $"invalid UTF-8 {Convert.ToHexString(bytes)} in {stringPath}", MustRefuse: true, null);
            case Mutation.Truncated:
                var cut = 1 + (what % (route.Body.Length - 1));
                return new HostileRequest(route, Encoding.UTF8.GetBytes(route.Body[..cut]), $"cut at {cut}", MustRefuse: true, null);
            default:
                var huge = Encoding.UTF8.GetBytes("{\"name\":\"" + new string('a', 16 * 1024 * 1024) + "\"}");
                return new HostileRequest(route, huge, "16 MiB body", MustRefuse: true, null);
        }
    }

    private static HostileRequest Replace(Route route, string path, string rawJson, string description, bool mustRefuse, string? field) =>
        new(route, Encoding.UTF8.GetBytes(ReplaceText(route.Body, path, rawJson)), description, mustRefuse, field);

    /// <summary>The body with the value at <paramref name="path"/> (a <c>$.a[0].b</c> path) replaced by raw JSON text.</summary>
    private static string ReplaceText(string body, string path, string rawJson)
    {
        if (path == "$")
        {
            return rawJson;
        }

        var root = JsonNode.Parse(body)!;
        var node = Find(root, path);
        if (node?.Parent is JsonObject parent)
        {
            parent[node.GetPropertyName()] = Marker;
        }
        else if (node?.Parent is JsonArray array)
        {
            array[node.GetElementIndex()] = Marker;
        }
        else
        {
            // A null value has no node: find its parent by path and set the field.
            var dot = path.LastIndexOf('.');
            ((JsonObject)Find(root, path[..dot])!)[path[(dot + 1)..]] = Marker;
        }

        return root.ToJsonString().Replace($"\"{Marker}\"", rawJson, StringComparison.Ordinal);
    }

    /// <summary>Every value's path in <paramref name="body"/>, the root (<c>$</c>) first.</summary>
    private static List<string> ValuePaths(string body)
    {
        var paths = new List<string> { "$" };
        Walk(JsonNode.Parse(body), "$", paths);
        return paths;

        static void Walk(JsonNode? node, string path, List<string> paths)
        {
            switch (node)
            {
                case JsonObject obj:
                    foreach (var (name, value) in obj)
                    {
                        paths.Add(path + "." + name);
                        Walk(value, path + "." + name, paths);
                    }

                    break;
                case JsonArray array:
                    for (var i = 0; i < array.Count; i++)
                    {
                        paths.Add($"{path}[{i}]");
                        Walk(array[i], $"{path}[{i}]", paths);
                    }

                    break;
            }
        }
    }

    private static JsonNode? Find(JsonNode root, string path)
    {
        if (path == "$")
        {
            return root;
        }

        JsonNode? found = null;
        Search(root);
        return found;

        void Search(JsonNode? node)
        {
            if (found is not null || node is null)
            {
                return;
            }

            if (node.GetPath() == path)
            {
                found = node;
                return;
            }

            foreach (var child in node switch { JsonObject o => o.Select(p => p.Value), JsonArray a => a, _ => [] })
            {
                Search(child);
            }
        }
    }

    private static bool HasLoneSurrogate(char[] chars)
    {
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(chars[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static string Excerpt(string text) => text.Length <= 400 ? text : text[..400] + "…";

    private sealed record Route(string Name, HttpMethod Method, string Path, string Body, bool NamesFields);

    private sealed record HostileRequest(Route Route, byte[] Body, string Description, bool MustRefuse, string? Field);
}
