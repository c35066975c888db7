using System.CommandLine;
using System.Text.Json;
using Switchboard.Cli.Admin;
using Switchboard.Cli.Output;
using Switchboard.Server.Api;
using Switchboard.Webhooks;

namespace Switchboard.Cli.Commands;

/// <summary><c>switchboard webhooks create|list|delete|deliveries|retry</c>: signed outbound webhooks and their outbox.</summary>
internal static class WebhooksCommand
{
    /// <summary>Builds the command group.</summary>
    /// <param name="environment">Reads environment variables (injectable for tests).</param>
    public static Command Create(Func<string, string?> environment)
    {
        var admin = new AdminOptions(environment);
        var command = new Command("webhooks", "Subscribe URLs to call events and inspect or retry deliveries");
        admin.AddTo(command);
        command.Subcommands.Add(CreateWebhook(admin));
        command.Subcommands.Add(ListWebhooks(admin));
        command.Subcommands.Add(DeleteWebhook(admin));
        command.Subcommands.Add(ListDeliveries(admin));
        command.Subcommands.Add(Retry(admin));
        return command;
    }

    private static Command CreateWebhook(AdminOptions admin)
    {
        var url = new Option<string>("--url") { HelpName = "url", Description = "Absolute http(s) URL the deliveries are POSTed to", Required = true };
        var events = new Option<string[]>("--events")
        {
            HelpName = "TYPE,…",
            Description = "Comma-separated: " + string.Join(", ", WebhookEventTypes.All),
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var endpoint = new Option<string?>("--endpoint") { HelpName = "id-or-name", Description = "Only this endpoint's events (default: every endpoint of the team)" };
        var command = new Command("create", "Subscribe a URL; the signing secret is printed once and never again") { url, events, endpoint };
        command.SetAction((parse, ct) => AdminAction.RunAsync(parse, admin, async (client, output) =>
        {
            var types = (parse.GetValue(events) ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
            if (WebhookSubscriptionRules.EventTypesProblem(types) is { } problem)
            {
                throw AdminException.Invalid(problem);
            }

            var created = await client.CreateWebhookAsync(parse.GetValue(url)!, types, parse.GetValue(endpoint), ct).ConfigureAwait(false);
            if (output.Json)
            {
                output.WriteJson(JsonSerializer.Serialize(created, AdminJson.Context.CreatedWebhookResponse));
                return ExitCodes.Ok;
            }

            var w = output.Out;
            w.WriteLine($"Created webhook {created.Id:D} → {created.Url}");
            w.WriteLine();
            w.WriteLine("Signing secret:");
            w.WriteLine();
            w.WriteLine("    " + created.Secret);
            w.WriteLine();
            w.WriteLine("Store it now: it will not be shown again. Verify each delivery's webhook-signature with it (docs/webhooks.md).");
            w.WriteLine();
            w.WriteLine($"  events     {Formats.List(created.EventTypes)}");
            w.WriteLine($"  endpoint   {(created.EndpointId is { } id ? id.ToString("D") : "(every endpoint of the team)")}");
            return ExitCodes.Ok;
        }, ct, firstRunHint: false));
        return command;
    }

    private static Command ListWebhooks(AdminOptions admin)
    {
        var command = new Command("list", "List the team's webhook subscriptions (never their secrets)");
        command.SetAction((parse, ct) => AdminAction.RunAsync(parse, admin, async (client, output) =>
        {
            var webhooks = await client.ListWebhooksAsync(ct).ConfigureAwait(false);
            if (output.Json)
            {
                output.WriteJson(JsonSerializer.Serialize(new WebhookListResponse(webhooks), AdminJson.Context.WebhookListResponse));
                return ExitCodes.Ok;
            }

            if (webhooks.Count == 0)
            {
                output.Out.WriteLine("No webhooks yet. Create one: switchboard webhooks create --url https://example.com/hooks --events call.ended");
                return ExitCodes.Ok;
            }

            var table = new TextTable("ID", "URL", "EVENTS", "ENDPOINT", "CREATED");
            foreach (var webhook in webhooks)
            {
                table.AddRow(webhook.Id.ToString("D"), webhook.Url, Formats.List(webhook.EventTypes), webhook.EndpointId?.ToString("D") ?? "(all)", Formats.Time(webhook.CreatedAt));
            }

            table.Write(output.Out);
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command DeleteWebhook(AdminOptions admin)
    {
        var id = new Argument<string>("id") { Description = "The subscription's id" };
        var command = new Command("delete", "Delete a subscription: nothing more is sent to it, its pending deliveries fail") { id };
        command.SetAction((parse, ct) => AdminAction.RunAsync(parse, admin, async (client, output) =>
        {
            var webhook = await client.DeleteWebhookAsync(parse.GetValue(id)!, ct).ConfigureAwait(false);
            if (output.Json)
            {
                output.WriteJson(JsonSerializer.Serialize(webhook, AdminJson.Context.WebhookResponse));
            }
            else
            {
                output.Out.WriteLine($"Deleted webhook {webhook.Id:D} ({webhook.Url}).");
            }

            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command ListDeliveries(AdminOptions admin)
    {
        var status = new Option<string?>("--status") { HelpName = "status", Description = "Only pending, delivered or failed deliveries" };
        status.AcceptOnlyFromAmong([.. WebhookDeliveryStatus.All]);
        var paging = new PagingOptions();
        var command = new Command("deliveries", "List deliveries, newest first: status, attempts, last error") { status };
        paging.AddTo(command);
        command.SetAction((parse, ct) => AdminAction.RunAsync(parse, admin, async (client, output) =>
        {
            var (page, limit) = (parse.GetValue(paging.Page), parse.GetValue(paging.Limit));
            AdminAction.CheckPaging(page, limit);
            var list = await client.ListDeliveriesAsync(parse.GetValue(status), page, limit, ct).ConfigureAwait(false);
            if (output.Json)
            {
                output.WriteJson(JsonSerializer.Serialize(list, AdminJson.Context.WebhookDeliveryListResponse));
                return ExitCodes.Ok;
            }

            if (list.Deliveries.Count == 0)
            {
                output.Out.WriteLine(list.Pagination.Total == 0 ? "No deliveries." : $"No deliveries on page {page} ({list.Pagination.Total} in all).");
                return ExitCodes.Ok;
            }

            var table = new TextTable("ID", "EVENT", "STATUS", "ATTEMPTS", "CREATED", "NEXT ATTEMPT", "LAST ERROR");
            foreach (var d in list.Deliveries)
            {
                var error = d.LastError is { Length: > 60 } e ? e[..60] + "…" : d.LastError ?? "";
                table.AddRow(d.Id, d.EventType, d.Status, d.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture), Formats.Time(d.CreatedAt), Formats.Time(d.NextAttemptAt), error);
            }

            table.Write(output.Out);
            if (list.Pagination.HasMore)
            {
                output.Out.WriteLine($"Page {page} of {list.Pagination.TotalPages}; next: --page {page + 1}");
            }

            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command Retry(AdminOptions admin)
    {
        var id = new Argument<string>("delivery-id") { Description = "The delivery's id (msg_…)" };
        var command = new Command("retry", "Send a pending or failed delivery again now (same webhook-id, same body)") { id };
        command.SetAction((parse, ct) => AdminAction.RunAsync(parse, admin, async (client, output) =>
        {
            var delivery = await client.RetryDeliveryAsync(parse.GetValue(id)!, ct).ConfigureAwait(false);
            if (output.Json)
            {
                output.WriteJson(JsonSerializer.Serialize(delivery, AdminJson.Context.WebhookDeliveryResponse));
            }
            else
            {
                output.Out.WriteLine($"Delivery {delivery.Id} ({delivery.EventType}) is due now; a running gateway sends it within a moment.");
            }

            return ExitCodes.Ok;
        }, ct));
        return command;
    }
}
