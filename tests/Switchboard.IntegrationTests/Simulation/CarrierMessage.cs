using System.Text.Json;

namespace Switchboard.IntegrationTests.Simulation;

/// <summary>A message the simulated carrier sent, with its arrival time at the fake gateway (wall ms).</summary>
internal sealed record CarrierMessage(double AtMs, string Text, JsonElement? Json)
{
    public string? Event => Json is { ValueKind: JsonValueKind.Object } j && j.TryGetProperty("event", out var e) ? e.GetString() : null;

    public JsonElement Root => Json ?? throw new InvalidOperationException($"not JSON: {Text}");

    /// <summary>The decoded media payload.</summary>
    public byte[] Payload => Convert.FromBase64String(Root.GetProperty("media").GetProperty("payload").GetString()!);
}
