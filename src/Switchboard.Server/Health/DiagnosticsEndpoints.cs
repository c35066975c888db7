using System.Text.Json;
using Microsoft.Extensions.Options;
using Switchboard.Calls;
using Switchboard.Configuration;
using Switchboard.Journal;

namespace Switchboard.Server.Health;

/// <summary>
/// Developer diagnostics, when enabled: <c>GET /diagnostics/calls/by-stream/{streamId}</c> (a recent call's
/// journal) and <c>GET /diagnostics/runtime</c> (managed memory and threads, for the load generator).
/// </summary>
internal static class DiagnosticsEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/diagnostics/calls/by-stream/{streamId}", CallByStreamAsync).WithTags("Diagnostics")
            .WithSummary("A recent call's journal by carrier stream id")
            .WithDescription("Developer diagnostics; 404 unless `Switchboard:Diagnostics:Enabled` is true.");
        routes.MapGet("/diagnostics/runtime", Runtime).WithTags("Diagnostics")
            .WithSummary("Managed memory, collections and threads of the gateway process")
            .WithDescription("Developer diagnostics; 404 unless `Switchboard:Diagnostics:Enabled` is true. `?gc=full` first runs a full blocking collection (a pause of every call), so `managedBytes` is what is live; `?gc=release` makes it aggressive, returning the GC's free memory to the OS so RSS shows what is held.");
    }

    private static IResult Runtime(string? gc, IOptions<SwitchboardOptions> options)
    {
        if (!options.Value.Diagnostics.Enabled)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found");
        }

        return Results.Bytes(Switchboard.Diagnostics.RuntimeFigures.Capture(fullGc: gc is "full" or "release", releaseMemory: gc == "release").ToJson(), "application/json");
    }

    private static async Task<IResult> CallByStreamAsync(string streamId, IOptions<SwitchboardOptions> options, CallRegistry calls, ICallJournal journal, CancellationToken cancellationToken)
    {
        if (!options.Value.Diagnostics.Enabled || !calls.TryFindByStream(streamId, out var callId) || callId is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found");
        }

        var events = await journal.ReadAsync(callId, cancellationToken);
        using var buffer = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("callId", callId);
            writer.WriteStartArray("events");
            foreach (var e in events)
            {
                JsonSerializer.Serialize(writer, e, CallEventJsonContext.Default.CallEvent);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Results.Bytes(buffer.ToArray(), "application/json");
    }
}
