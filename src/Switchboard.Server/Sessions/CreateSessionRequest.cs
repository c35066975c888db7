using System.Text.Json;

namespace Switchboard.Server.Sessions;

/// <summary>The body of <c>POST /api/v1/sessions</c>, read strictly so a misspelt field is a 400 that names it.</summary>
internal sealed record CreateSessionRequest(Guid EndpointId, string Mode, string? Flow = null)
{
    private static readonly string[] Fields = ["endpointId", "mode", "flow"];

    /// <summary>Parses the body; on failure <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(JsonElement root, out CreateSessionRequest? request, out string? error)
    {
        request = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            error = "the body must be a JSON object: { \"endpointId\": \"<uuid>\", \"mode\": \"text\", \"flow\"?: \"<name>\" }";
            return false;
        }

        foreach (var property in root.EnumerateObject())
        {
            if (!Fields.Contains(property.Name, StringComparer.Ordinal))
            {
                error = $"unknown field '{property.Name}'; expected endpointId, mode and optionally flow";
                return false;
            }
        }

        if (!root.TryGetProperty("endpointId", out var endpointJson) || endpointJson.ValueKind == JsonValueKind.Null)
        {
            error = "endpointId is required";
            return false;
        }

        if (endpointJson.ValueKind != JsonValueKind.String || !Guid.TryParse(endpointJson.GetString(), out var endpointId))
        {
            error = "endpointId must be a UUID string";
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

        request = new CreateSessionRequest(endpointId, modeJson.GetString()!, flow);
        error = null;
        return true;
    }
}
