using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Switchboard.Common;

namespace Switchboard.Server.Api;

/// <summary>
/// The OpenAPI document at <c>/openapi/v1.json</c>. Every minimal-API route with an HTTP method is described
/// automatically (ApiExplorer); the transformers here add what the routes' own metadata cannot say: the
/// <c>X-API-Key</c> security scheme on the operations that need a key (and which scopes), and integer
/// schemas for the <c>page</c>/<c>limit</c> parameters, which are bound as strings so that a bad value gets a
/// precise 400 instead of the framework's empty one.
/// </summary>
internal static class ApiDocument
{
    /// <summary>The route pattern of the document; <c>v1</c> is the only document.</summary>
    public const string RoutePattern = "/openapi/{documentName}.json";

    public const string Url = "/openapi/v1.json";

    /// <summary>The name of the security scheme in <c>components.securitySchemes</c>.</summary>
    public const string SecuritySchemeName = "ApiKey";

    private static readonly (string Name, string Description)[] Tags =
    [
        ("Team", "Who a key belongs to, and the team's caps and budgets."),
        ("Keys", "API keys of the team (ADMIN). The plaintext is shown once, at creation."),
        ("Endpoints", "Agent endpoints: a name and an agent spec (backend, voice, instructions, tools, limits, allowed transports and modes)."),
        ("Runtime", "What a client needs to reach an endpoint."),
        ("Sessions", "Sessions for the session WebSocket."),
        ("Calls", "Calls, their transcripts and events; live calls and hanging them up."),
        ("Usage", "Calls, seconds and estimated cost per day: what the daily budgets count."),
        ("Webhooks", "Signed outbound webhooks: subscriptions (the secret is shown once) and the delivery outbox."),
        ("Admin", "Operations on this gateway node (ADMIN): drain it before a restart."),
        ("Carriers", "Webhooks that carriers and the OpenAI/Azure SIP connector call (media streams are WebSockets: `/twilio`, `/telnyx`; not described here)."),
        ("Health", "Liveness and dependency health."),
        ("Diagnostics", "Developer diagnostics, off by default."),
    ];

    public static void Configure(OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Switchboard API",
                Version = "v1",
                Description = "The control plane of the Switchboard voice-AI gateway. Authenticate with an API key in the `X-API-Key` header; " +
                    "create the first one with `switchboard keys create --name admin --scopes ADMIN`. Errors are `application/problem+json`.",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>(StringComparer.Ordinal);
            document.Components.SecuritySchemes[SecuritySchemeName] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKeyFilter.HeaderName,
                Description = "An API key (`sb_xxxxxxxx_…`). Each operation names the scopes it accepts; ADMIN holds every scope.",
            };
            // API tags first, in this order, then whatever else routes use (their own order); only tags in use.
            var used = document.Tags ?? new HashSet<OpenApiTag>();
            var ordered = new HashSet<OpenApiTag>();
            foreach (var (name, description) in Tags)
            {
                if (used.FirstOrDefault(t => t.Name == name) is { } tag)
                {
                    tag.Description = description;
                    ordered.Add(tag);
                }
            }

            foreach (var tag in used.Where(t => !ordered.Contains(t)))
            {
                ordered.Add(tag);
            }

            document.Tags = ordered;
            return Task.CompletedTask;
        });

        options.AddOperationTransformer(async (operation, context, cancellationToken) =>
        {
            if (context.Description.ActionDescriptor.EndpointMetadata.OfType<JsonBodyMetadata>().LastOrDefault() is { } body)
            {
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = !body.Optional,
                    Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal)
                    {
                        ["application/json"] = new OpenApiMediaType { Schema = await context.GetOrCreateSchemaAsync(body.Type, null, cancellationToken) },
                    },
                };
            }

            var scopes = context.Description.ActionDescriptor.EndpointMetadata.OfType<RequiredScopesMetadata>().LastOrDefault();
            if (scopes is not null)
            {
                operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SecuritySchemeName, context.Document)] = [] }];
                operation.Description = $"Requires an API key with {scopes.Describe()}." +
                    (string.IsNullOrEmpty(operation.Description) ? "" : "\n\n" + operation.Description);
                operation.Extensions ??= new Dictionary<string, IOpenApiExtension>(StringComparer.Ordinal);
                var list = new JsonArray();
                foreach (var name in scopes.Names)
                {
                    list.Add(name);
                }

                operation.Extensions["x-required-scopes"] = new JsonNodeExtension(list);
            }

            foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
            {
                if (parameter.In != ParameterLocation.Query)
                {
                    continue;
                }

                switch (parameter.Name)
                {
                    case "page":
                        parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1", Default = JsonValue.Create(1) };
                        break;
                    case "limit":
                        parameter.Schema = new OpenApiSchema
                        {
                            Type = JsonSchemaType.Integer,
                            Minimum = "1",
                            Maximum = PageRequest.MaxLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
                            Default = JsonValue.Create(PageRequest.DefaultLimit),
                        };
                        break;
                    case "endpointId":
                        parameter.Required = true;
                        parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uuid" };
                        break;
                }
            }
        });
    }
}
