using System.Text.Json;
using System.Text.RegularExpressions;
using Switchboard.Agents.Tools;
using Switchboard.Network;

namespace Switchboard.Agents;

/// <summary>Checks an endpoint's name and spec; returns every problem at once, keyed by the JSON path of the bad field.</summary>
internal static partial class AgentSpecValidator
{
    private static readonly string[] Backends = ["default", "openai", "azure", "local"];
    private static readonly string[] AudioFormats = ["auto", "pcmu", "pcma", "pcm24"];
    private static readonly string[] TurnTypes = ["server_vad", "semantic_vad", "none"];

    /// <param name="name">The endpoint's name.</param>
    /// <param name="spec">The spec to check.</param>
    /// <param name="outbound">The policy tool and remote configuration URLs must pass; <see cref="OutboundPolicy.Strict"/> when null.</param>
    public static Dictionary<string, string[]> Validate(string? name, AgentSpec spec, OutboundPolicy? outbound = null)
    {
        outbound ??= OutboundPolicy.Strict;
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Add(string key, string message)
        {
            if (!errors.TryGetValue(key, out var list))
            {
                errors[key] = list = [];
            }

            list.Add(message);
        }

        if (string.IsNullOrWhiteSpace(name) || name.Length > 100)
        {
            Add("name", "name is required (1-100 characters)");
        }

        if (!Backends.Contains(spec.Backend))
        {
            Add("backend", "backend must be one of: " + string.Join(", ", Backends));
        }

        if (spec.Model is { Length: > 100 })
        {
            Add("model", "model is at most 100 characters");
        }

        CheckFallback(spec, Add);

        if (string.IsNullOrWhiteSpace(spec.Voice) || spec.Voice.Length > 50)
        {
            Add("voice", "voice is required (e.g. marin or cedar)");
        }
        else if (spec.Backend != "local" && !Configuration.RealtimeVoices.IsKnown(spec.Voice))
        {
            // The local agent takes any name; every other backend is OpenAI's or Azure's realtime model.
            Add("voice", $"unknown voice '{spec.Voice}'; known: {string.Join(", ", Configuration.RealtimeVoices.Known)}");
        }

        if (spec.Instructions is null || spec.Instructions.Length > 32_000)
        {
            Add("instructions", "instructions are required and at most 32000 characters");
        }

        if (spec.Greeting is { Length: > 2_000 })
        {
            Add("greeting", "greeting is at most 2000 characters");
        }

        if (!AudioFormats.Contains(spec.AudioFormat))
        {
            Add("audioFormat", "audioFormat must be one of: " + string.Join(", ", AudioFormats));
        }

        var turn = spec.TurnDetection ?? new TurnDetectionSpec();
        if (!TurnTypes.Contains(turn.Type))
        {
            Add("turnDetection.type", "turnDetection.type must be one of: " + string.Join(", ", TurnTypes));
        }

        if (turn.Threshold is < 0 or > 1)
        {
            Add("turnDetection.threshold", "turnDetection.threshold must be between 0 and 1");
        }

        if (turn.PrefixPaddingMs is < 0 or > 5_000)
        {
            Add("turnDetection.prefixPaddingMs", "turnDetection.prefixPaddingMs must be 0-5000");
        }

        if (turn.SilenceDurationMs is < 0 or > 10_000)
        {
            Add("turnDetection.silenceDurationMs", "turnDetection.silenceDurationMs must be 0-10000");
        }

        var limits = spec.Limits ?? new LimitsSpec();
        if (limits.MaxCallSeconds is < 0 or > 86_400)
        {
            Add("limits.maxCallSeconds", "limits.maxCallSeconds must be 0 (gateway default) to 86400");
        }

        if (limits.SessionTtlSeconds is < 60 or > 86_400)
        {
            Add("limits.sessionTtlSeconds", "limits.sessionTtlSeconds must be 60-86400");
        }

        foreach (var (field, problem) in LimitRules.Check(limits.CallWarningSeconds, limits.IdleWarningSeconds, limits.IdleTimeoutSeconds,
            limits.MaxDailyCallSeconds, limits.MaxCallCostUsd, limits.MaxDailyCostUsd, limits.MaxConcurrentCalls))
        {
            Add("limits." + field, "limits." + problem);
        }

        foreach (var carrier in spec.Carriers ?? [])
        {
            if (!Transports.IsKnown(carrier))
            {
                Add("carriers", $"unknown carrier '{carrier}'; known: {string.Join(", ", Transports.All)}");
            }
        }

        foreach (var mode in spec.Modes ?? [])
        {
            if (!InteractionModes.IsKnown(mode))
            {
                Add("modes", $"unknown mode '{mode}'; known: {string.Join(", ", InteractionModes.All)}");
            }
        }

        if (spec.ExternalId is { } externalId && !ExternalIdPattern().IsMatch(externalId))
        {
            Add("externalId", "must be 1-128 characters of A-Z, a-z, 0-9, '.', '_', ':' or '-'");
        }

        foreach (var number in spec.PhoneNumbers ?? [])
        {
            if (!E164().IsMatch(number))
            {
                Add("phoneNumbers", $"'{number}' is not an E.164 number (+ and 8-15 digits)");
            }
        }

        CheckFunctions("tools", (spec.Tools ?? []).Select(t => (t.Name, t.Parameters)), Add);
        CheckFunctions("browserActions", (spec.BrowserActions ?? []).Select(a => (a.Name, a.Parameters)), Add);
        foreach (var tool in spec.Tools ?? [])
        {
            if (tool.TimeoutSeconds is < 0 or > 120)
            {
                Add("tools", $"'{tool.Name}': timeoutSeconds must be 1-120, or 0 for the default (got {tool.TimeoutSeconds})");
            }
        }

        foreach (var tool in spec.Tools ?? [])
        {
            if (tool.Http is { } http)
            {
                foreach (var problem in HttpToolRules.Check(http, outbound))
                {
                    Add("tools", $"'{tool.Name}': {problem}");
                }
            }
        }

        CheckTransfer(spec, Add);

        if (spec.RemoteConfig is { } remote)
        {
            if (!Uri.TryCreate(remote.Url, UriKind.Absolute, out var remoteUrl) || remoteUrl.Scheme is not ("http" or "https") || !string.IsNullOrEmpty(remoteUrl.UserInfo))
            {
                Add("remoteConfig.url", "must be an absolute http(s) URL without credentials");
            }
            else if (outbound.UrlProblem(remoteUrl) is { } refused)
            {
                Add("remoteConfig.url", "remoteConfig.url " + refused);
            }

            if (remote.Secret is not null && !Identifier().IsMatch(remote.Secret))
            {
                Add("remoteConfig.secret", "must name a secret: [a-zA-Z0-9_-]{1,64}");
            }

            if (remote.TtlSeconds is < 0 or > 86400)
            {
                Add("remoteConfig.ttlSeconds", "must be 0-86400");
            }

            if (remote.TimeoutMs is < 100 or > 10000)
            {
                Add("remoteConfig.timeoutMs", "must be 100-10000");
            }

            if (remote.Mapping is { } mapping)
            {
                if (mapping.Instructions is null && mapping.Greeting is null && mapping.Menu is null)
                {
                    Add("remoteConfig.mapping", "must name at least one of instructions, greeting, menu");
                }

                foreach (var (field, path) in new[] { ("instructions", mapping.Instructions), ("greeting", mapping.Greeting), ("menu", mapping.Menu) })
                {
                    if (path is not null && !MappingPath().IsMatch(path))
                    {
                        Add("remoteConfig.mapping." + field, "must be a field name or a dotted path of up to 4 names, each [A-Za-z0-9_]{1,64}");
                    }
                }
            }
        }

        if (spec.Handoff is { } handoff)
        {
            if (!Uri.TryCreate(handoff.Url, UriKind.Absolute, out var handoffUrl) || handoffUrl.Scheme is not ("http" or "https") || !string.IsNullOrEmpty(handoffUrl.UserInfo))
            {
                Add("handoff.url", "must be an absolute http(s) URL without credentials");
            }
            else if (outbound.UrlProblem(handoffUrl) is { } refused)
            {
                Add("handoff.url", "handoff.url " + refused);
            }

            if (handoff.Secret is not null && !Identifier().IsMatch(handoff.Secret))
            {
                Add("handoff.secret", "must name a secret: [a-zA-Z0-9_-]{1,64}");
            }
        }

        if (spec.Chatbot is { } chatbot && (chatbot.ChannelId is null || !ExternalIdPattern().IsMatch(chatbot.ChannelId)))
        {
            Add("chatbot.channelId", "must be 1-128 characters of A-Z, a-z, 0-9, '.', '_', ':' or '-'");
        }

        var actionNames = (spec.BrowserActions ?? []).Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var clash in (spec.Tools ?? []).Where(t => actionNames.Contains(t.Name)))
        {
            Add("browserActions", $"'{clash.Name}' is both a tool and a browser action; give them different names");
        }
        CheckArtifactSettings(spec, Add);
        var flowNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var flow in spec.Flows ?? [])
        {
            if (string.IsNullOrWhiteSpace(flow.Name) || !Identifier().IsMatch(flow.Name) || !flowNames.Add(flow.Name))
            {
                Add("flows", $"flow name '{flow.Name}' must be unique and match [a-zA-Z0-9_-]{{1,64}}");
            }
        }

        return errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
    }

    /// <summary>The fallback backend, checked as the primary is; naming the primary itself would fail over to nothing new.</summary>
    private static void CheckFallback(AgentSpec spec, Action<string, string> add)
    {
        if (spec.Fallback is not { } fallback)
        {
            return;
        }

        if (!Backends.Contains(fallback.Backend))
        {
            add("fallback.backend", "fallback.backend must be one of: " + string.Join(", ", Backends));
            return;
        }

        if (fallback.Model is { Length: > 100 })
        {
            add("fallback.model", "fallback.model is at most 100 characters");
        }

        if (fallback.Backend == spec.Backend && string.Equals(fallback.Model ?? "", spec.Model ?? "", StringComparison.Ordinal))
        {
            add("fallback", "fallback must name another backend or another model than the endpoint's own");
        }

        if (fallback.Backend != "local" && !string.IsNullOrWhiteSpace(spec.Voice) && !Configuration.RealtimeVoices.IsKnown(spec.Voice))
        {
            // The voice goes to the fallback too: an OpenAI or Azure fallback needs one of their voices.
            add("fallback.backend", $"the voice '{spec.Voice}' is unknown to the {fallback.Backend} backend; known: {string.Join(", ", Configuration.RealtimeVoices.Known)}");
        }
    }

    private static void CheckArtifactSettings(AgentSpec spec, Action<string, string> add)
    {
        var privacy = spec.Privacy ?? new PrivacySpec();
        if (!NumberRedaction.IsKnown(privacy.CallerNumber))
        {
            add("privacy.callerNumber", "privacy.callerNumber must be one of: " + string.Join(", ", NumberRedaction.Modes));
        }

        if (!NumberRedaction.IsKnown(privacy.CalleeNumber))
        {
            add("privacy.calleeNumber", "privacy.calleeNumber must be one of: " + string.Join(", ", NumberRedaction.Modes));
        }

        if (spec.Summary?.Instructions is { Length: > 4_000 })
        {
            add("summary.instructions", "summary.instructions is at most 4000 characters");
        }
    }

    private static void CheckFunctions(string key, IEnumerable<(string Name, JsonElement? Parameters)> functions, Action<string, string> add)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, parameters) in functions)
        {
            if (string.IsNullOrWhiteSpace(name) || !Identifier().IsMatch(name) || !names.Add(name))
            {
                add(key, $"name '{name}' must be unique and match [a-zA-Z0-9_-]{{1,64}}");
            }

            if (parameters is { } p && p.ValueKind != JsonValueKind.Object)
            {
                add(key, $"'{name}': parameters must be a JSON Schema object");
            }
        }
    }

    /// <summary>Transfer targets (names, E.164 or SIP destinations, a caller id) and built-in transfer tools that have somewhere to go.</summary>
    private static void CheckTransfer(AgentSpec spec, Action<string, string> add)
    {
        var transfer = spec.Transfer ?? new TransferSpec();
        var targets = transfer.Targets ?? [];
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var target in targets)
        {
            if (string.IsNullOrWhiteSpace(target.Name) || !Identifier().IsMatch(target.Name) || !names.Add(target.Name))
            {
                add("transfer.targets", $"target name '{target.Name}' must be unique and match [a-zA-Z0-9_-]{{1,64}}");
            }

            if (string.IsNullOrWhiteSpace(target.To) || target.To.Length > 256 || !(E164().IsMatch(target.To) || SipUri().IsMatch(target.To)))
            {
                add("transfer.targets", $"'{target.Name}': to must be an E.164 number (+15551234567) or a SIP URI (sip:desk@pbx.example.com), got '{target.To}'");
            }

            if (target.Description is { Length: > 500 })
            {
                add("transfer.targets", $"'{target.Name}': description is at most 500 characters");
            }
        }

        if (targets.Count > 20)
        {
            add("transfer.targets", "at most 20 transfer targets");
        }

        if (transfer.CallerId is { } callerId && !E164().IsMatch(callerId))
        {
            add("transfer.callerId", $"callerId must be an E.164 number such as +15550001111 (got '{callerId}')");
        }

        foreach (var tool in (spec.Tools ?? []).Where(BuiltInTools.IsTransfer))
        {
            if (targets.Count == 0)
            {
                add("tools", $"'{tool.Name}' is a built-in transfer tool and needs at least one transfer target: add transfer.targets, e.g. [{{\"name\":\"billing\",\"to\":\"+15551234567\"}}]");
            }
        }
    }

    [GeneratedRegex(@"^sips?:[^\s<>""@]+@[^\s<>""@]+$")]
    private static partial Regex SipUri();

    [GeneratedRegex(@"^\+[1-9][0-9]{7,14}$")]
    private static partial Regex E164();

    [GeneratedRegex(@"^[a-zA-Z0-9_-]{1,64}$")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"^[A-Za-z0-9._:-]{1,128}$")]
    private static partial Regex ExternalIdPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_]{1,64}(\.[A-Za-z0-9_]{1,64}){0,3}$")]
    private static partial Regex MappingPath();
}
