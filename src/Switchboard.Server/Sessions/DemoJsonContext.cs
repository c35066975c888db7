using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.Server.Sessions;

/// <summary>What <c>GET /demo/config</c> tells the talk page.</summary>
internal sealed record DemoConfig(bool Enabled, DemoEndpoint? Endpoint, IReadOnlyList<string> Modes, IReadOnlyList<DemoAction> BrowserActions);

/// <summary>The endpoint demo sessions use.</summary>
internal sealed record DemoEndpoint(Guid Id, string Name);

/// <summary>A browser action the demo endpoint declares.</summary>
internal sealed record DemoAction(string Name, string? Description);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DemoConfig))]
internal sealed partial class DemoJsonContext : JsonSerializerContext;
