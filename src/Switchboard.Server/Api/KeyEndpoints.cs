using System.Text.Json;
using Switchboard.Control;
using Switchboard.Transport;

namespace Switchboard.Server.Api;

/// <summary>
/// <c>/api/v1/keys</c>: create (the plaintext is shown once), list and revoke the team's API keys. ADMIN only.
/// The rules (name, scopes, key format, revocation) are <see cref="ApiKeyAdmin"/>'s, shared with the CLI.
/// </summary>
internal static class KeyEndpoints
{
    public const string Path = "/api/v1/keys";

    public static void Map(IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup(Path).WithTags("Keys").RequireScope(ApiScopes.Admin);

        group.MapPost("", CreateAsync)
            .WithName("CreateKey")
            .WithSummary("Create an API key")
            .WithDescription("Creates a key for the caller's team. The response's `key` is the plaintext: it is shown once and never stored (only its SHA-256 is).")
            .WithJsonBody<CreateKeyRequest>()
            .Produces<CreatedKeyResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        group.MapGet("", ListAsync)
            .WithName("ListKeys")
            .WithSummary("List API keys")
            .WithDescription("Every key of the team, revoked ones included, with prefix, scopes and last use. Never hashes or plaintext.")
            .Produces<KeyListResponse>();

        group.MapDelete("/{id}", RevokeAsync)
            .WithName("RevokeKey")
            .WithSummary("Revoke an API key")
            .WithDescription("The key stops working at once. Revoking an already revoked key is a no-op (204).")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> CreateAsync(HttpContext context, ApiKeyAdmin admin, ILoggerFactory loggers)
    {
        var caller = ApiCaller.From(context);
        var (body, problem) = await ApiRequestBody.ReadObjectAsync(context.Request, context.RequestAborted);
        if (body is null)
        {
            return problem!;
        }

        CreateKeyRequest? request;
        try
        {
            request = body.Deserialize(ApiJsonContext.Default.CreateKeyRequest);
        }
        catch (JsonException ex)
        {
            var (field, message) = JsonErrorText.Mapping(ex, ApiJsonContext.Default.CreateKeyRequest);
            return ApiProblems.InvalidField(field, message);
        }

        if (!(await admin.CreateAsync(caller.TeamId, request?.Name, request?.Scopes, context.RequestAborted)).Succeeded(out var created, out var error))
        {
            return ApiProblems.From(error);
        }

        var response = CreatedKeyResponse.From(created);
        ApiLog.KeyCreated(loggers.CreateLogger(ApiLog.Category), response.Prefix, response.Name, string.Join(",", response.Scopes), caller.KeyPrefix);
        return Results.Json(response, ApiJsonContext.Default.CreatedKeyResponse, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> ListAsync(HttpContext context, ApiKeyAdmin admin)
    {
        var caller = ApiCaller.From(context);
        var keys = await admin.ListAsync(caller.TeamId, context.RequestAborted);
        return Results.Json(new KeyListResponse(keys.Select(KeyResponse.From).ToList()), ApiJsonContext.Default.KeyListResponse);
    }

    private static async Task<IResult> RevokeAsync(HttpContext context, ApiKeyAdmin admin, ILoggerFactory loggers, string id)
    {
        var caller = ApiCaller.From(context);
        if (!Guid.TryParse(id, out var keyId))
        {
            return ApiProblems.From(ApiKeyAdmin.NotFound());
        }

        if (!(await admin.RevokeAsync(caller.TeamId, keyId, context.RequestAborted)).Succeeded(out var revocation, out var error))
        {
            return ApiProblems.From(error);
        }

        if (!revocation.WasAlreadyRevoked)
        {
            ApiLog.KeyRevoked(loggers.CreateLogger(ApiLog.Category), revocation.Key.Prefix, caller.KeyPrefix);
        }

        return Results.NoContent();
    }
}
