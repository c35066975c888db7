using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Switchboard.Configuration;
using Switchboard.Diagnostics;
using Switchboard.Network;
using Switchboard.Transport;

namespace Switchboard.Agents.Tools;

/// <summary>
/// Remote agent configuration: an endpoint with <c>remoteConfig</c> takes its instructions, greeting and tools from the owning
/// app at call start (<c>GET url?endpointId=…&amp;carrier=…[&amp;flow=…]</c> with <c>Authorization: Bearer &lt;secret&gt;</c>), keeps
/// the answer for <c>ttlSeconds</c>, and falls back — to the last good answer, else to the endpoint's stored fields — when the
/// app is slow, down or answers something invalid. A call never fails to start because of it. One fetch per endpoint at a
/// time: calls starting together share it.
/// </summary>
internal sealed partial class RemoteAgentConfig : IDisposable
{
    private static readonly string[] Fields = ["instructions", "greeting", "tools"];

    private readonly ToolOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly OutboundPolicy _outbound;
    private readonly HttpClient _client;
    private readonly ConcurrentDictionary<string, Entry> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<Overlay?>>> _fetches = new(StringComparer.Ordinal);

    public RemoteAgentConfig(ToolOptions options, OutboundPolicy outbound, TimeProvider time, ILogger logger)
    {
        _options = options;
        _time = time;
        _logger = logger;
        _outbound = outbound;
        _client = outbound.CreateClient("remote configuration", TimeSpan.FromSeconds(5));
    }

    /// <summary>The spec the call runs with: <paramref name="endpoint"/>'s, with the remote fields laid over it when configured.</summary>
    public async Task<AgentSpec> ApplyAsync(AgentEndpoint endpoint, string carrier, string? flow, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var spec = endpoint.Spec;
        if (spec.RemoteConfig is not { } remote)
        {
            return spec;
        }

        // Keyed by what is asked for: the same endpoint may answer differently per carrier or flow.
        var key = $"{endpoint.Id:N}|{remote.Url}|{carrier}|{flow}";
        var now = _time.GetUtcNow();
        if (_cache.TryGetValue(key, out var cached) && now - cached.FetchedAt < TimeSpan.FromSeconds(remote.TtlSeconds))
        {
            return cached.Overlay.ApplyTo(spec);
        }

        var fetch = _fetches.GetOrAdd(key, _ => new Lazy<Task<Overlay?>>(() => FetchAsync(endpoint, remote, carrier, flow)));
        Overlay? overlay;
        try
        {
            overlay = await fetch.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _fetches.TryRemove(new KeyValuePair<string, Lazy<Task<Overlay?>>>(key, fetch));
        }

        if (overlay is not null)
        {
            _cache[key] = new Entry(overlay, _time.GetUtcNow());
            return overlay.ApplyTo(spec);
        }

        if (_cache.TryGetValue(key, out var stale))
        {
            LogUsingStale(_logger, endpoint.Id, (long)(now - stale.FetchedAt).TotalSeconds);
            return stale.Overlay.ApplyTo(spec);
        }

        LogUsingStored(_logger, endpoint.Id);
        return spec;
    }

    /// <summary>Fetches and checks the remote fields; null (and a warning saying why) when they cannot be used.</summary>
    private async Task<Overlay?> FetchAsync(AgentEndpoint endpoint, RemoteConfigSpec remote, string carrier, string? flow)
    {
        var url = remote.Url + (remote.Url.Contains('?', StringComparison.Ordinal) ? "&" : "?")
            + "endpointId=" + endpoint.Id.ToString("D") + "&carrier=" + Uri.EscapeDataString(carrier)
            + (flow is null ? "" : "&flow=" + Uri.EscapeDataString(flow))
            // An org server answers per org: the endpoint's externalId is the org id it knows.
            + (remote.Mapping is not null && endpoint.Spec.ExternalId is { } orgId ? "&orgId=" + Uri.EscapeDataString(orgId) : "");
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Accept", "application/json");
        request.Headers.TryAddWithoutValidation("User-Agent", "Switchboard-RemoteConfig/1");
        if (remote.Secret is { } name)
        {
            if (!_options.Secrets.TryGetValue(name, out var secret) || string.IsNullOrEmpty(secret))
            {
                LogFailed(_logger, endpoint.Id, $"no secret named '{name}' in Switchboard:Tools:Secrets");
                return null;
            }

            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + secret);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(remote.TimeoutMs), _time);
        string body;
        try
        {
            using var response = await _client.SendAsync(request, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                LogFailed(_logger, endpoint.Id, $"HTTP {(int)response.StatusCode}");
                return null;
            }

            body = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
        {
            var why = ex is OperationCanceledException ? $"no answer within {remote.TimeoutMs} ms"
                : OutboundPolicy.IsRefused(ex) ? OutboundPolicy.RefusedReason
                : "unreachable";
            LogFailed(_logger, endpoint.Id, why);
            return null;
        }

        if (!Overlay.TryParse(body, endpoint.Name, _outbound, remote.Mapping, out var overlay, out var problem))
        {
            LogFailed(_logger, endpoint.Id, problem!);
            return null;
        }

        return overlay;
    }

    public void Dispose() => _client.Dispose();

    [LoggerMessage(EventId = EventIds.RemoteConfigFailed, Level = LogLevel.Warning, Message = "Endpoint {EndpointId}: remote agent configuration not used: {Reason}")]
    private static partial void LogFailed(ILogger logger, Guid endpointId, string reason);

    [LoggerMessage(EventId = EventIds.RemoteConfigUsingStale, Level = LogLevel.Warning, Message = "Endpoint {EndpointId}: using the remote configuration fetched {AgeSeconds} s ago")]
    private static partial void LogUsingStale(ILogger logger, Guid endpointId, long ageSeconds);

    [LoggerMessage(EventId = EventIds.RemoteConfigUsingStored, Level = LogLevel.Warning, Message = "Endpoint {EndpointId}: starting with the stored instructions, greeting and tools")]
    private static partial void LogUsingStored(ILogger logger, Guid endpointId);

    private sealed record Entry(Overlay Overlay, DateTimeOffset FetchedAt);

    /// <summary>
    /// The fields the app sent; a field it left out keeps the endpoint's value. <paramref name="MenuJson"/> (a mapped answer's
    /// menu) is appended to the instructions, so the model knows what can be ordered.
    /// </summary>
    internal sealed record Overlay(string? Instructions, bool HasGreeting, string? Greeting, IReadOnlyList<ToolSpec>? Tools, string? MenuJson = null)
    {
        public AgentSpec ApplyTo(AgentSpec spec) => spec with
        {
            Instructions = WithMenu(Instructions ?? spec.Instructions, MenuJson),
            Greeting = HasGreeting ? Greeting : spec.Greeting,
            Tools = Tools ?? spec.Tools,
        };

        private static string WithMenu(string instructions, string? menuJson) =>
            menuJson is null ? instructions : instructions + "\n\nMenu (JSON):\n" + menuJson;

        /// <summary>
        /// Reads <c>{ instructions?, greeting?, tools? }</c> strictly (an unknown field is a mistake worth a warning, not a guess),
        /// and checks the result with the same rules as an endpoint written through the API.
        /// </summary>
        public static bool TryParse(string json, string endpointName, OutboundPolicy outbound, RemoteConfigMappingSpec? mapping, out Overlay? overlay, out string? problem)
        {
            overlay = null;
            // The gateway's one rule for JSON from outside: lone surrogates, null list items, duplicate fields, deep nesting
            // and numbers out of range are refused here, so nothing below can throw and the call falls back instead.
            if (!JsonInput.TryParse(json, out var element, out var invalid))
            {
                problem = "the answer is not acceptable JSON: " + (invalid!.Field.Length == 0 ? invalid.Message : $"{invalid.Field}: {invalid.Message}");
                return false;
            }

            if (element.ValueKind != JsonValueKind.Object)
            {
                problem = "the answer is not a JSON object";
                return false;
            }

            if (mapping is not null)
            {
                return TryMap(element, mapping, endpointName, outbound, out overlay, out problem);
            }

            var root = JsonObject.Create(element)!;

            if (root.Select(p => p.Key).FirstOrDefault(k => !Fields.Contains(k, StringComparer.Ordinal)) is { } unknown)
            {
                problem = $"unknown field '{unknown}' (expected instructions, greeting, tools)";
                return false;
            }

            string? instructions = null;
            if (root["instructions"] is { } i)
            {
                if (i.GetValueKind() != JsonValueKind.String)
                {
                    problem = "instructions must be a string";
                    return false;
                }

                instructions = i.GetValue<string>();
            }

            var hasGreeting = root.ContainsKey("greeting");
            string? greeting = null;
            if (root["greeting"] is { } g)
            {
                if (g.GetValueKind() != JsonValueKind.String)
                {
                    problem = "greeting must be a string or null";
                    return false;
                }

                greeting = g.GetValue<string>();
            }

            AgentSpec candidate;
            try
            {
                var probe = new JsonObject();
                if (instructions is not null)
                {
                    probe["instructions"] = instructions;
                }

                if (greeting is not null)
                {
                    probe["greeting"] = greeting;
                }

                if (root["tools"] is { } tools)
                {
                    probe["tools"] = tools.DeepClone();
                }

                candidate = AgentSpecJson.ParseStrict(probe.ToJsonString());
            }
            catch (JsonException ex)
            {
                problem = "the tools are not valid: " + ex.Message;
                return false;
            }

            var errors = AgentSpecValidator.Validate(endpointName, candidate, outbound);
            if (errors.Count > 0)
            {
                problem = string.Join("; ", errors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}")));
                return false;
            }

            overlay = new Overlay(instructions, hasGreeting, greeting, root.ContainsKey("tools") ? candidate.Tools : null);
            problem = null;
            return true;
        }
    
        /// <summary>
        /// Reads an app's own answer through <paramref name="mapping"/>: the named fields only (others are the app's business),
        /// each of the right kind or the answer is not used; the result is checked like an endpoint written through the API.
        /// </summary>
        private static bool TryMap(JsonElement root, RemoteConfigMappingSpec mapping, string endpointName, OutboundPolicy outbound, out Overlay? overlay, out string? problem)
        {
            overlay = null;
            string? instructions = null;
            if (mapping.Instructions is { } instructionsPath && Find(root, instructionsPath) is { } i)
            {
                if (i.ValueKind != JsonValueKind.String)
                {
                    problem = $"{instructionsPath} (the instructions) must be a string";
                    return false;
                }

                instructions = i.GetString();
            }

            var hasGreeting = false;
            string? greeting = null;
            if (mapping.Greeting is { } greetingPath && Find(root, greetingPath) is { } g)
            {
                if (g.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                {
                    problem = $"{greetingPath} (the greeting) must be a string or null";
                    return false;
                }

                hasGreeting = true;
                greeting = g.ValueKind == JsonValueKind.Null ? null : g.GetString();
            }

            string? menu = null;
            if (mapping.Menu is { } menuPath && Find(root, menuPath) is { } m && m.ValueKind != JsonValueKind.Null)
            {
                if (m.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
                {
                    problem = $"{menuPath} (the menu) must be an object or an array";
                    return false;
                }

                menu = m.GetRawText();
            }

            // The candidate carries the menu too, so the instructions' rules (their length) hold for what the call will use.
            var candidate = new AgentSpec { Instructions = WithMenu(instructions ?? "(stored instructions)", menu), Greeting = greeting };
            var errors = AgentSpecValidator.Validate(endpointName, candidate, outbound);
            if (errors.Count > 0)
            {
                problem = string.Join("; ", errors.SelectMany(e => e.Value.Select(v => $"{e.Key}: {v}")));
                return false;
            }

            overlay = new Overlay(instructions, hasGreeting, greeting, null, menu);
            problem = null;
            return true;
        }

        /// <summary>The element at a dotted <paramref name="path"/>, or null when a step is missing or not an object.</summary>
        private static JsonElement? Find(JsonElement root, string path)
        {
            var current = root;
            foreach (var name in path.Split('.'))
            {
                if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(name, out current))
                {
                    return null;
                }
            }

            return current;
        }
    }
}
