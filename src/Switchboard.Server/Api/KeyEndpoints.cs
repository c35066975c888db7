using System.Text.Json;
using Switchboard.Common;
using Switchboard.Control;

namespace Switchboard.Server.Api;

/// <summary><c>/api/v1/keys</c>: create (the plaintext is shown once), list and revoke the team's API keys. ADMIN only.</summary>
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

    private static async Task<IResult> CreateAsync(HttpContext context, IApiKeyStore store, TimeProvider time, ILoggerFactory loggers)
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

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var name = request?.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 100)
        {
            errors["name"] = ["name is required (1-100 characters)"];
        }

        var scopes = ApiScopes.None;
        if (request?.Scopes is not { Count: > 0 } names || names.Any(string.IsNullOrWhiteSpace))
        {
            errors["scopes"] = ["scopes must list at least one of: " + string.Join(", ", ApiScopeNames.All)];
        }
        else if (!ApiScopeNames.TryParse(names, out scopes, out var unknown))
        {
            errors["scopes"] = [$"unknown scope '{unknown}'; known: {string.Join(", ", ApiScopeNames.All)}"];
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        // A prefix collision (1 in 10^12) is retried with a fresh key rather than reported.
        for (var attempt = 1; ; attempt++)
        {
            var (plaintext, prefix, hash) = ApiKeyFormat.Generate();
            var key = new ApiKeyRecord
            {
                Id = Guid.NewGuid(),
                TeamId = caller.TeamId,
                Name = name!,
                Prefix = prefix,
                Hash = hash,
                Scopes = scopes,
                CreatedAt = ApiClock.Now(time),
            };
            try
            {
                await store.CreateKeyAsync(key, context.RequestAborted);
            }
            catch (StoreConflictException) when (attempt < 3)
            {
                continue;
            }

            var scopeNames = ApiScopeNames.ToNames(scopes);
            ApiLog.KeyCreated(loggers.CreateLogger(ApiLog.Category), prefix, key.Name, string.Join(",", scopeNames), caller.KeyPrefix);
            var created = new CreatedKeyResponse(key.Id, key.Name, key.Prefix, scopeNames, key.CreatedAt, plaintext);
            return Results.Json(created, ApiJsonContext.Default.CreatedKeyResponse, statusCode: StatusCodes.Status201Created);
        }
    }

    private static async Task<IResult> ListAsync(HttpContext context, IApiKeyStore store)
    {
        var caller = ApiCaller.From(context);
        var keys = await store.ListKeysAsync(caller.TeamId, context.RequestAborted);
        return Results.Json(new KeyListResponse(keys.Select(KeyResponse.From).ToList()), ApiJsonContext.Default.KeyListResponse);
    }

    private static async Task<IResult> RevokeAsync(HttpContext context, IApiKeyStore store, TimeProvider time, ILoggerFactory loggers, string id)
    {
        var caller = ApiCaller.From(context);
        if (!Guid.TryParse(id, out var keyId))
        {
            return ApiProblems.NotFound("no such API key");
        }

        var key = await store.GetKeyAsync(caller.TeamId, keyId, context.RequestAborted);
        if (key is null || !await store.RevokeKeyAsync(caller.TeamId, keyId, ApiClock.Now(time), context.RequestAborted))
        {
            return ApiProblems.NotFound("no such API key");
        }

        if (!key.IsRevoked)
        {
            ApiLog.KeyRevoked(loggers.CreateLogger(ApiLog.Category), key.Prefix, caller.KeyPrefix);
        }

        return Results.NoContent();
    }
}
