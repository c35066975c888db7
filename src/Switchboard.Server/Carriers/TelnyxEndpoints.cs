using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Switchboard.Calls;
using Switchboard.Carriers;
using Switchboard.Carriers.Telnyx;
using Switchboard.Configuration;
using Switchboard.Diagnostics;
using Switchboard.Server.RateLimiting;

namespace Switchboard.Server.Carriers;

/// <summary>
/// Telnyx media streaming. Telnyx does not sign stream upgrades, so the stream URL carries a shared token
/// (<c>?token=</c>); a missing or wrong token closes the socket with 1008 before any audio flows.
/// </summary>
internal static partial class TelnyxEndpoints
{
    public const string StreamPath = "/telnyx";

    public static void Map(IEndpointRouteBuilder routes) => routes.Map(StreamPath, StreamAsync).RequireClientRateLimit(RateLimitBucket.CarriersPerIp);

    private static async Task StreamAsync(HttpContext context, IOptions<SwitchboardOptions> options, CallHost calls, ICarrierCallControl callControl, TimeProvider time, ILogger<TelnyxProtocol> logger, ILogger<CallBridge> callLogger)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "WebSocket upgrade expected",
                detail: "This is the Telnyx media streaming endpoint; use it as stream_url with ?token=.").ExecuteAsync(context);
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var expected = options.Value.Telnyx.StreamToken;
        var given = context.Request.Query["token"].ToString();
        string? refusal = null;
        if (string.IsNullOrEmpty(expected))
        {
            refusal = "Telnyx streaming is disabled: set TELNYX_STREAM_TOKEN";
        }
        else if (string.IsNullOrEmpty(given))
        {
            refusal = "missing stream token";
        }
        else if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected))))
        {
            // Hashing first makes the comparison constant-time regardless of the token lengths.
            refusal = "invalid stream token";
        }

        if (refusal is not null)
        {
            LogRefused(logger, refusal);
            await socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, refusal, context.RequestAborted);
            return;
        }

        await calls.RunAsync(new CarrierLeg(socket, new TelnyxProtocol(), callControl, options.Value.Bridge, time, callLogger), context.RequestAborted);
    }

    [LoggerMessage(EventId = EventIds.TelnyxStreamRefused, Level = LogLevel.Warning, Message = "Refused Telnyx stream: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);
}
