using System.Net.WebSockets;
using Switchboard.Agents;
using Switchboard.Calls;
using Switchboard.Configuration;
using Switchboard.Control;
using Switchboard.Journal;
using Switchboard.Server.Api;
using Switchboard.Sessions;
using Switchboard.Telemetry;

namespace Switchboard.Server.Sessions;

/// <summary>
/// Listen sessions (docs/sessions.md): created on a live call of the key's team, governed by that call's endpoint (which must
/// list <c>listen</c> in its modes); they open no conversation, so they take no concurrency slot or budget (at most
/// <see cref="CallTap.MaxListeners"/> per call). The token names the call; <see cref="ListenSession"/> runs the connection.
/// </summary>
internal static partial class SessionEndpoints
{
    private static async Task<IResult> CreateListenAsync(HttpContext context, ISessionStore store, IEndpointStore endpoints, SessionTokenSource tokenSource,
        CallRegistry registry, SwitchboardOptions options, TimeProvider time, ILogger logger, CreateSessionRequest request, Guid teamId, string issuedBy)
    {
        // Another team's call reads as unknown, so call ids cannot be probed.
        if (registry.FindForTeam(request.CallId!, teamId) is not { Tap: { } tap } call)
        {
            return ApiProblems.NotFound("no such call live on this node (unknown, ended, or another team's)");
        }

        if (request.EndpointId is { } named && named != call.EndpointId)
        {
            return ApiProblems.BadRequest("the call runs on another endpoint than endpointId; omit endpointId (the call's endpoint governs) or name the call's");
        }

        var endpoint = await endpoints.GetEndpointAsync(teamId, call.EndpointId, context.RequestAborted);
        if (endpoint is null)
        {
            return ApiProblems.NotFound("no such call live on this node (its endpoint no longer exists)");
        }

        if (EndpointPolicy.CheckMode(endpoint.Spec, InteractionModes.Listen) != SessionModeDecision.Allowed)
        {
            return ApiProblems.Forbidden($"endpoint '{endpoint.Name}' does not allow mode '{InteractionModes.Listen}' (its modes: {string.Join(", ", endpoint.Spec.Modes ?? [])})");
        }

        if (tap.Count >= CallTap.MaxListeners)
        {
            return ApiProblems.TooManyRequests("Too many listeners", $"busy: {CallTap.MaxListeners} listeners already follow this call", 5);
        }

        return await StoreAndIssueAsync(context, store, tokenSource, options, time, logger, endpoint, InteractionModes.Listen, null, call.CallId, issuedBy);
    }

    /// <summary>A listen session's connection: the endpoint as it is now must still allow listening; then it follows its call.</summary>
    private static async Task ListenAsync(HttpContext context, WebSocket socket, SessionRecord session, string callId, SwitchboardOptions options, TimeProvider time,
        ILogger<ListenSession> logger)
    {
        var services = context.RequestServices;
        var endpoint = await services.GetRequiredService<IEndpointStore>().GetEndpointAsync(session.TeamId, session.EndpointId, context.RequestAborted);
        var refusal = endpoint is null ? "endpoint no longer exists"
            : EndpointPolicy.CheckMode(endpoint.Spec, InteractionModes.Listen) != SessionModeDecision.Allowed ? "endpoint no longer allows this session"
            : null;
        if (refusal is not null)
        {
            LogRefused(logger, SessionCloseCodes.Forbidden, refusal, session.Id, null);
            await RejectAsync(socket, SessionCloseCodes.Forbidden, refusal);
            return;
        }

        using var listen = new ListenSession(socket, session, callId, services.GetRequiredService<CallRegistry>(), services.GetRequiredService<CallEventFeed>(),
            services.GetRequiredService<ICallJournal>(), options.Sessions, time, logger);
        await listen.RunAsync(context.RequestAborted);
    }
}
