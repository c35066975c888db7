namespace Switchboard.Storage;

/// <summary>
/// The schema, as numbered steps applied in order and recorded in <c>schema_migrations</c>. Steps are never
/// edited once released; a change is a new step. Ids are text (UUIDs), times are Unix milliseconds, so the
/// same SQL runs on SQLite and PostgreSQL.
/// </summary>
internal static class Migrations
{
    public static IReadOnlyList<(int Version, string Sql)> For(SqlDialect dialect) =>
    [
        (1, $"""
            CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE teams (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at BIGINT NOT NULL);
            CREATE TABLE api_keys (
                id TEXT PRIMARY KEY,
                team_id TEXT NOT NULL REFERENCES teams(id),
                name TEXT NOT NULL,
                prefix TEXT NOT NULL UNIQUE,
                hash {dialect.BytesType} NOT NULL,
                scopes BIGINT NOT NULL,
                created_at BIGINT NOT NULL,
                revoked_at BIGINT NULL,
                last_used_at BIGINT NULL);
            CREATE INDEX ix_api_keys_team ON api_keys(team_id, created_at);
            CREATE TABLE endpoints (
                id TEXT PRIMARY KEY,
                team_id TEXT NOT NULL REFERENCES teams(id),
                name TEXT NOT NULL,
                is_default BIGINT NOT NULL,
                spec TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                UNIQUE (team_id, name));
            CREATE INDEX ix_endpoints_team ON endpoints(team_id, created_at, id);
            CREATE UNIQUE INDEX ux_endpoints_default ON endpoints(team_id) WHERE is_default = 1;
            CREATE TABLE endpoint_numbers (
                number TEXT PRIMARY KEY,
                endpoint_id TEXT NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE);
            CREATE INDEX ix_endpoint_numbers_endpoint ON endpoint_numbers(endpoint_id);
            CREATE TABLE sessions (
                id TEXT PRIMARY KEY,
                team_id TEXT NOT NULL,
                endpoint_id TEXT NOT NULL,
                mode TEXT NOT NULL,
                flow TEXT NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL);
            CREATE TABLE calls (
                id TEXT PRIMARY KEY,
                team_id TEXT NULL,
                endpoint_id TEXT NULL,
                channel TEXT NOT NULL,
                carrier_call_id TEXT NULL,
                from_number TEXT NULL,
                to_number TEXT NULL,
                started_at BIGINT NOT NULL,
                ended_at BIGINT NULL,
                end_reason TEXT NULL,
                event_count BIGINT NOT NULL DEFAULT 0);
            CREATE INDEX ix_calls_team ON calls(team_id, started_at);
            CREATE INDEX ix_calls_started ON calls(started_at);
            CREATE TABLE call_events (
                call_id TEXT NOT NULL,
                seq BIGINT NOT NULL,
                at BIGINT NOT NULL,
                type TEXT NOT NULL,
                body TEXT NOT NULL,
                PRIMARY KEY (call_id, seq));
            """),
        (2, """
            CREATE TABLE webhook_subscriptions (
                id TEXT PRIMARY KEY,
                team_id TEXT NOT NULL REFERENCES teams(id),
                endpoint_id TEXT NULL,
                url TEXT NOT NULL,
                event_types TEXT NOT NULL,
                secret TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                disabled_at BIGINT NULL);
            CREATE INDEX ix_webhook_subscriptions_team ON webhook_subscriptions(team_id, created_at);
            CREATE TABLE webhook_deliveries (
                id TEXT PRIMARY KEY,
                subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions(id),
                event_type TEXT NOT NULL,
                payload TEXT NOT NULL,
                status TEXT NOT NULL,
                attempts BIGINT NOT NULL DEFAULT 0,
                next_attempt_at BIGINT NOT NULL,
                locked_until BIGINT NULL,
                lease_token TEXT NULL,
                last_status BIGINT NULL,
                last_error TEXT NULL,
                created_at BIGINT NOT NULL,
                delivered_at BIGINT NULL);
            CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);
            CREATE INDEX ix_webhook_deliveries_subscription ON webhook_deliveries(subscription_id, created_at);
            CREATE INDEX ix_webhook_deliveries_created ON webhook_deliveries(created_at);
            """),
        (3, """
            ALTER TABLE teams ADD COLUMN limits TEXT NULL;
            ALTER TABLE calls ADD COLUMN duration_ms BIGINT NULL;
            ALTER TABLE calls ADD COLUMN cost_micros BIGINT NULL;
            ALTER TABLE calls ADD COLUMN refused BIGINT NOT NULL DEFAULT 0;
            CREATE INDEX ix_calls_endpoint ON calls(endpoint_id, started_at);
            """),
        (4, """
            CREATE TABLE sip_webhooks (
                webhook_id TEXT PRIMARY KEY,
                call_id TEXT NOT NULL UNIQUE,
                received_at BIGINT NOT NULL);
            CREATE INDEX ix_sip_webhooks_received ON sip_webhooks(received_at);
            """),
        (5, """
            CREATE TABLE telegram_launch_tokens (
                token_id TEXT PRIMARY KEY,
                expires_at BIGINT NOT NULL);
            CREATE INDEX ix_telegram_launch_tokens_expires ON telegram_launch_tokens(expires_at);
            """),
        (6, """
            ALTER TABLE calls ADD COLUMN metadata TEXT NULL;
            ALTER TABLE webhook_subscriptions ADD COLUMN kind TEXT NOT NULL DEFAULT 'webhook';
            ALTER TABLE webhook_subscriptions ADD COLUMN auth_ref TEXT NULL;
            """),
        (7, """
            CREATE TABLE endpoint_external_ids (
                team_id TEXT NOT NULL,
                external_id TEXT NOT NULL,
                endpoint_id TEXT NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE,
                PRIMARY KEY (team_id, external_id));
            CREATE INDEX ix_endpoint_external_ids_endpoint ON endpoint_external_ids(endpoint_id);
            """),
        (8, $"""
            CREATE TABLE chatbot_channels (
                channel_id TEXT PRIMARY KEY,
                endpoint_id TEXT NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE);
            CREATE INDEX ix_chatbot_channels_endpoint ON chatbot_channels(endpoint_id);
            CREATE TABLE chatbot_conversations (
                id TEXT PRIMARY KEY,
                channel_id TEXT NOT NULL,
                team_id TEXT NOT NULL,
                endpoint_id TEXT NOT NULL,
                session_id TEXT NOT NULL,
                token_hash {dialect.BytesType} NOT NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL);
            CREATE INDEX ix_chatbot_conversations_expires ON chatbot_conversations(expires_at);
            """),
        (9, """
            ALTER TABLE calls ADD COLUMN node_id TEXT NULL;
            CREATE INDEX ix_calls_node_open ON calls(node_id) WHERE ended_at IS NULL;
            """),
    ];
}
