using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Common;
using Switchboard.Network;
using Switchboard.Transport;

namespace Switchboard.Agents;

/// <summary>
/// Turns an endpoint body (the REST API's request, the CLI's options and <c>--file</c>) into what to store.
/// <c>name</c> and <c>isDefault</c> belong to the endpoint; every other field is an <see cref="AgentSpec"/> field,
/// parsed strictly (an unknown or mistyped field is an error naming it, not a silent default). Null objects, lists
/// and list items are reported before <see cref="AgentSpecValidator"/> runs, so every problem is listed at once.
/// </summary>
internal static class EndpointBody
{
    /// <summary>Fields of a fetched endpoint object that a client may send back unchanged; they are not writable.</summary>
    private static readonly HashSet<string> ReadOnlyFields = new(StringComparer.Ordinal) { "createdAt", "updatedAt" };

    /// <summary>
    /// Reads a body. With <paramref name="merge"/> (PATCH) the fields present replace those of
    /// <paramref name="existing"/>; otherwise (POST, PUT) missing spec fields take their defaults. An omitted
    /// <c>isDefault</c> keeps the existing flag (false for a new endpoint).
    /// </summary>
    public static AdminResult<EndpointWrite> Read(JsonObject body, AgentEndpoint? existing, bool merge, OutboundPolicy? outbound = null)
    {
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var name = merge ? existing?.Name : null;
        var isDefault = existing?.IsDefault ?? false;
        var specJson = merge && existing is not null
            ? JsonNode.Parse(AgentSpecJson.Serialize(existing.Spec))!.AsObject()
            : [];

        foreach (var (field, value) in body)
        {
            switch (field)
            {
                case "name":
                    if (value is JsonValue v && v.GetValueKind() == JsonValueKind.String)
                    {
                        name = v.GetValue<string>();
                    }
                    else
                    {
                        Add(errors, "name", $"name must be a string (got {JsonErrorText.KindOf(value)})");
                    }

                    break;
                case "isDefault":
                    if (value is JsonValue b && b.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
                    {
                        isDefault = b.GetValue<bool>();
                    }
                    else
                    {
                        Add(errors, "isDefault", $"isDefault must be true or false (got {JsonErrorText.KindOf(value)})");
                    }

                    break;
                case "id":
                    // Sending a fetched object back is fine; aiming it at another endpoint is not.
                    if (existing is not null && !(value is JsonValue idValue && idValue.GetValueKind() == JsonValueKind.String &&
                        Guid.TryParse(idValue.GetValue<string>(), out var id) && id == existing.Id))
                    {
                        Add(errors, "id", "id does not match the endpoint in the URL (omit it)");
                    }
                    else if (existing is null)
                    {
                        Add(errors, "id", "id is assigned by the server (omit it)");
                    }

                    break;
                default:
                    if (!ReadOnlyFields.Contains(field))
                    {
                        specJson[field] = value?.DeepClone();
                    }

                    break;
            }
        }

        AgentSpec parsed;
        try
        {
            parsed = AgentSpecJson.ParseStrict(specJson.ToJsonString());
        }
        catch (JsonException ex)
        {
            var (field, message) = JsonErrorText.Mapping(ex, AgentJsonContext.Default.AgentSpec);
            Add(errors, field.Length == 0 ? "body" : field, message);
            return Invalid(errors);
        }

        var spec = WithoutNulls(parsed, errors);
        var nameMistyped = errors.ContainsKey("name");
        foreach (var (field, messages) in AgentSpecValidator.Validate(name, spec, outbound))
        {
            if (field == "name" && nameMistyped)
            {
                continue;
            }

            foreach (var message in messages)
            {
                Add(errors, field, message);
            }
        }

        return errors.Count > 0 ? Invalid(errors) : new EndpointWrite(name!, isDefault, spec);
    }

    private static AdminError Invalid(Dictionary<string, List<string>> errors) =>
        AdminError.Invalid(errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal));

    /// <summary>
    /// The spec with null sections and list items reported and replaced (so the validator can look at the rest).
    /// Null strings are left to the validator, which names them as required.
    /// </summary>
    private static AgentSpec WithoutNulls(AgentSpec spec, Dictionary<string, List<string>> errors)
    {
        T Section<T>(T? value, string field)
            where T : class, new()
        {
            if (value is null)
            {
                Add(errors, field, $"{field} must be an object, not null");
                return new T();
            }

            return value;
        }

        IReadOnlyList<T> Items<T>(IReadOnlyList<T?>? items, string field)
            where T : class
        {
            if (items is null)
            {
                Add(errors, field, $"{field} must be an array, not null");
                return [];
            }

            var kept = new List<T>(items.Count);
            for (var i = 0; i < items.Count; i++)
            {
                if (items[i] is { } item)
                {
                    kept.Add(item);
                }
                else
                {
                    Add(errors, field, $"{field}[{i}] must not be null");
                }
            }

            return kept;
        }

        var transfer = Section(spec.Transfer, "transfer");
        return spec with
        {
            Transfer = transfer with { Targets = Items(transfer.Targets, "transfer.targets") },
            TurnDetection = Section(spec.TurnDetection, "turnDetection"),
            Transcription = Section(spec.Transcription, "transcription"),
            Limits = Section(spec.Limits, "limits"),
            Privacy = Section(spec.Privacy, "privacy"),
            Summary = Section(spec.Summary, "summary"),
            Tools = Items(spec.Tools, "tools"),
            Carriers = Items(spec.Carriers, "carriers"),
            Modes = Items(spec.Modes, "modes"),
            PhoneNumbers = Items(spec.PhoneNumbers, "phoneNumbers"),
            BrowserActions = Items(spec.BrowserActions, "browserActions"),
            Flows = Items(spec.Flows, "flows"),
        };
    }

    private static void Add(Dictionary<string, List<string>> errors, string field, string message)
    {
        if (!errors.TryGetValue(field, out var list))
        {
            errors[field] = list = [];
        }

        list.Add(message);
    }
}
