using System.Text.Json;

namespace Switchboard.LoadGen;

/// <summary>The gateway's <c>/diagnostics/runtime</c> figures the load generator uses.</summary>
internal sealed record RuntimeSample(long ManagedBytes, long CommittedBytes, long AllocatedBytes, int Threads, int Gen0, int Gen1, int Gen2, double? GcPauseMs);

/// <summary>Reads <c>GET /diagnostics/runtime</c> from the gateway (or the null relay); null when it does not answer.</summary>
internal static class RuntimeProbe
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary><paramref name="gc"/>: null (no collection), "full" (live bytes) or "release" (aggressive: the GC hands its free memory back, so RSS right after is what the process holds).</summary>
    public static async Task<RuntimeSample?> ReadAsync(Uri baseUrl, string? gc, CancellationToken token)
    {
        try
        {
            using var response = await Http.GetAsync(new Uri(baseUrl, gc is null ? "/diagnostics/runtime" : "/diagnostics/runtime?gc=" + gc), token);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            using var doc = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(token));
            var root = doc.RootElement;
            return new RuntimeSample(
                root.GetProperty("managedBytes").GetInt64(),
                root.GetProperty("committedBytes").GetInt64(),
                root.GetProperty("allocatedBytes").GetInt64(),
                root.GetProperty("threads").GetInt32(),
                root.GetProperty("gen0Collections").GetInt32(),
                root.GetProperty("gen1Collections").GetInt32(),
                root.GetProperty("gen2Collections").GetInt32(),
                root.TryGetProperty("gcPauseMs", out var pause) ? pause.GetDouble() : null);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }
}
