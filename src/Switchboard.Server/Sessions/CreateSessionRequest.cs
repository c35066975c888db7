using System.Text.Json;

namespace Switchboard.Server.Sessions;

/// <summary>
/// The body of <c>POST /api/v1/sessions</c>, read strictly so a misspelt field is a 400 that names it. A <c>listen</c>
/// session names the live call it follows (<see cref="CallId"/>) and may omit <see cref="EndpointId"/> (the call's endpoint governs).
/// </summary>
internal sealed record CreateSessionRequest(Guid? EndpointId, string Mode, string? Flow = null, string? CallId = null)
{
    /// <summary>Longest <c>callId</c> read (gateway call ids, session ids and carrier call ids are far shorter).</summary>
    private const int MaxCallIdLength = 128;

    private static readonly string[] Fields = ["endpointId", "mode", "flow", "callId"];

    /// <summary>Parses the body; on failure <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(JsonElement root, out CreateSessionRequest? request, out string? error)
    {
        request = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            error = "the body must be a JSON object: { \"endpointId\": \"<uuid>\", \"mode\": \"text\", \"flow\"?: \"<name>\" } or { \"mode\": \"listen\", \"callId\": \"<call>\" }";
            return false;
        }

        foreach (var property in root.EnumerateObject())
        {
            if (!Fields.Contains(property.Name, StringComparer.Ordinal))
            {
                error = $"unknown field '{property.Name}'; expected endpointId, mode and optionally flow (callId for mode listen)";
                return false;
            }
        }

        Guid? endpointId = null;
        if (root.TryGetProperty("endpointId", out var endpointJson) && endpointJson.ValueKind != JsonValueKind.Null)
        {
            if (endpointJson.ValueKind != JsonValueKind.String || !Guid.TryParse(endpointJson.GetString(), out var parsed))
            {
                error = "endpointId must be a UUID string";
                return false;
            }

            endpointId = parsed;
        }

        var listen = root.TryGetProperty("mode", out var modeText) && modeText.ValueKind == JsonValueKind.String
            && modeText.GetString() == Agents.InteractionModes.Listen;
        if (endpointId is null && !listen)
        {
            error = "endpointId is required";
            return false;
        }

        if (!root.TryGetProperty("mode", out var modeJson) || modeJson.ValueKind == JsonValueKind.Null)
        {
            error = "mode is required";
            return false;
        }

        if (modeJson.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(modeJson.GetString()))
        {
            error = "mode must be a non-empty string";
            return false;
        }

        string? flow = null;
        if (root.TryGetProperty("flow", out var flowJson) && flowJson.ValueKind != JsonValueKind.Null)
        {
            if (flowJson.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(flowJson.GetString()))
            {
                error = "flow must be a non-empty string when given";
                return false;
            }

            flow = flowJson.GetString();
        }

        string? callId = null;
        if (root.TryGetProperty("callId", out var callJson) && callJson.ValueKind != JsonValueKind.Null)
        {
            if (callJson.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(callJson.GetString()) || callJson.GetString()!.Length > MaxCallIdLength)
            {
                error = $"callId must be a non-empty string of at most {MaxCallIdLength} characters";
                return false;
            }

            callId = callJson.GetString();
        }

        if (listen && callId is null)
        {
            error = "callId is required for mode listen: the live call to follow (its callId, or the session id of a live session)";
            return false;
        }

        if (!listen && callId is not null)
        {
            error = "callId applies to mode listen only";
            return false;
        }

        if (listen && flow is not null)
        {
            error = "flow does not apply to mode listen (the call already runs its flow)";
            return false;
        }

        request = new CreateSessionRequest(endpointId, modeJson.GetString()!, flow, callId);
        error = null;
        return true;
    }
}
