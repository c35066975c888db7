using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Agents;

namespace Switchboard.Cli.Admin;

/// <summary>
/// Converts between the wire JSON and the CLI's records where the shape is not a plain record: endpoints (the spec
/// flattened next to the identity fields) and call details (the call, its transcript and its events in one object).
/// </summary>
internal static class AdminJson
{
    /// <summary>The endpoint fields that are not part of the <see cref="AgentSpec"/>.</summary>
    private static readonly string[] IdentityFields = ["id", "name", "isDefault", "createdAt", "updatedAt"];

    /// <summary>The context used for everything the CLI reads and prints; the relaxed encoder keeps <c>+1555…</c> and accents readable.</summary>
    public static AdminJsonContext Context { get; } = new(new JsonSerializerOptions(AdminJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    /// <summary>Compact JSON for request bodies.</summary>
    public static AdminJsonContext Wire { get; } = new(new JsonSerializerOptions(AdminJsonContext.Default.Options)
    {
        WriteIndented = false,
    });

    private static readonly JsonSerializerOptions NodeOutput = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Lenient reading of files and responses: comments and trailing commas allowed.</summary>
    public static readonly JsonDocumentOptions DocumentOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>Indented, human-readable JSON text of a node.</summary>
    public static string Print(JsonNode node) => node.ToJsonString(NodeOutput);

    /// <summary>The wire form of an endpoint: <c>{ id, name, isDefault, createdAt, updatedAt, …spec fields }</c>.</summary>
    public static JsonObject ToJson(EndpointView endpoint)
    {
        var json = new JsonObject
        {
            ["id"] = endpoint.Id,
            ["name"] = endpoint.Name,
            ["isDefault"] = endpoint.IsDefault,
            ["createdAt"] = endpoint.CreatedAt,
            ["updatedAt"] = endpoint.UpdatedAt,
        };
        foreach (var (key, value) in SpecToJson(endpoint.Spec))
        {
            json[key] = value?.DeepClone();
        }

        return json;
    }

    /// <summary>An endpoint from its wire form; spec fields this version does not know are ignored.</summary>
    public static EndpointView EndpointFromJson(JsonObject json)
    {
        var spec = new JsonObject();
        foreach (var (key, value) in json)
        {
            if (!IdentityFields.Contains(key, StringComparer.Ordinal))
            {
                spec[key] = value?.DeepClone();
            }
        }

        return new EndpointView(
            json["id"]?.GetValue<Guid>() ?? throw new JsonException("endpoint without an id"),
            json["name"]?.GetValue<string>() ?? "",
            json["isDefault"]?.GetValue<bool>() ?? false,
            json["createdAt"]?.GetValue<DateTimeOffset>() ?? default,
            json["updatedAt"]?.GetValue<DateTimeOffset>() ?? default,
            AgentSpecJson.ParseStored(spec.ToJsonString()));
    }

    /// <summary>The spec's fields as a JSON object, in the stored (camelCase) form.</summary>
    public static JsonObject SpecToJson(AgentSpec spec) =>
        JsonNode.Parse(AgentSpecJson.Serialize(spec))!.AsObject();

    /// <summary>The wire form of a call detail: the call's fields plus <c>transcript</c> and <c>events</c>.</summary>
    public static JsonObject ToJson(CallDetail detail)
    {
        var json = JsonSerializer.SerializeToNode(detail.Call, Context.CallResponse)!.AsObject();
        json["transcript"] = JsonSerializer.SerializeToNode(detail.Transcript.ToList(), Context.ListTranscriptTurnResponse);
        json["events"] = JsonNode.Parse(detail.Events.GetRawText());
        return json;
    }

    /// <summary>A call detail from its wire form.</summary>
    public static CallDetail CallDetailFromJson(JsonElement json)
    {
        var call = json.Deserialize(Context.CallResponse) ?? throw new JsonException("empty call");
        var transcript = json.TryGetProperty("transcript", out var t) && t.ValueKind == JsonValueKind.Array
            ? t.Deserialize(Context.ListTranscriptTurnResponse) ?? []
            : [];
        if (json.TryGetProperty("events", out var e))
        {
            return new CallDetail(call, transcript, e.Clone());
        }

        using var empty = JsonDocument.Parse("[]");
        return new CallDetail(call, transcript, empty.RootElement.Clone());
    }
}
