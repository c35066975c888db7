namespace Switchboard.Diagnostics;

/// <summary>
/// Every log event id of the gateway (core, server and CLI), one named constant per <c>[LoggerMessage]</c>, grouped by
/// feature. Operators alert on these numbers: never renumber an id, never reuse a retired one, and add a new message
/// in its feature's free range. The unit test <c>EventIdsTests</c> fails when two messages share an id or a message
/// uses an id that is not registered here.
/// </summary>
internal static class EventIds
{
    // 1–19: start-up report (Switchboard.Server Hosting/StartupReport).
    public const int StartupAgentBackend = 1;
    public const int StartupTwilioUnsigned = 2;
    public const int StartupTelnyxDisabled = 3;
    public const int StartupReady = 4;

    // 20–39: storage at start-up (Switchboard.Server Control/StoreStartup).
    public const int StorageReady = 20;
    public const int StorageFirstRun = 21;
    public const int StorageUnavailable = 22;

    // 40–49: API authentication (Switchboard.Server Api/ApiKeyFilter).
    public const int ApiRequestRejected = 40;
    public const int ApiScopeMissing = 41;

    // 50–99: API audit trail of admin changes (Switchboard.Server Api/ApiLog).
    public const int ApiKeyCreated = 50;
    public const int ApiKeyRevoked = 51;
    public const int ApiEndpointCreated = 52;
    public const int ApiEndpointUpdated = 53;
    public const int ApiEndpointDeleted = 54;
    public const int ApiWebhookCreated = 55;
    public const int ApiWebhookDeleted = 56;
    public const int ApiWebhookRetried = 57;
    public const int ApiTeamLimitsUpdated = 60;
    public const int ApiCallHungUp = 61;
    public const int ApiCallHangupFailed = 62;

    // 100–129: the call path (Calls/CallLog).
    public const int CallStarted = 100;
    public const int CallEnded = 101;
    public const int CallCarrierProtocolViolation = 102;
    public const int CallUnknownCarrierEvent = 103;
    public const int CallBackendUnavailable = 104;
    public const int CallBackendDisconnected = 105;
    public const int CallBargeIn = 106;
    public const int CallBackendError = 107;
    public const int CallBenignBackendError = 108;
    public const int CallUnparseableBackendEvent = 109;
    public const int CallCarrierError = 110;
    public const int CallUnexpectedFailure = 111;
    public const int CallBackendFormatMismatch = 112;
    public const int CallToolFailed = 113;
    public const int CallMediaTimeout = 114;
    public const int CallAnswerFailed = 115;
    public const int CallRemoteEnded = 116;

    // 130–139: call admission (Calls/CallLog).
    public const int CallAdmissionRefused = 130;
    public const int CallAdmissionFailed = 131;

    // 140–149: the agent ends or transfers a call (Calls/CallLog).
    public const int CallAgentEnded = 140;
    public const int CallTransferOutcome = 141;

    // 150–159: limits (Calls/CallLog): warnings, goodbyes, refusals.
    public const int CallLimitWarning = 150;
    public const int CallLimitReached = 151;
    public const int CallAdmissionLimited = 152;

    // 160–179: graceful drain and the host's signals (Switchboard.Server Hosting/DrainCoordinator, Hosting/GatewayLifetime).
    public const int DrainRequested = 160;
    public const int DrainStarted = 161;
    public const int DrainTimedOut = 162;
    public const int DrainHangingUp = 163;
    public const int DrainJournalSlow = 164;
    public const int DrainCompleted = 165;
    public const int DrainStopNow = 166;
    public const int DrainGoodbyeFailed = 167;
    public const int DrainFailed = 168;
    public const int HostStarted = 170;
    public const int HostEnvironment = 171;
    public const int HostStopping = 172;

    // 200–209: Twilio endpoints (Switchboard.Server Carriers/TwilioEndpoints).
    public const int TwilioBadSignature = 200;

    // 210–219: Telnyx endpoints (Switchboard.Server Carriers/TelnyxEndpoints).
    public const int TelnyxStreamRefused = 210;

    // 220–229: carrier call control over the carriers' REST APIs (Carriers/CarrierCallControl); were 720–722,
    // which the remote agent configuration also used.
    public const int CarrierCallControlAnswered = 220;
    public const int CarrierCallControlNotConfigured = 221;
    public const int CarrierCallControlFailed = 222;

    // 230–259: the OpenAI/Azure Realtime SIP connector: its REST calls and deduplication (SipConnector/SipLog), the
    // webhook (Switchboard.Server SipConnector/SipWebhookEndpoints), and its start-up checks.
    public const int SipControlAnswered = 230;
    public const int SipControlNotConfigured = 231;
    public const int SipControlFailed = 232;
    public const int SipAcceptRetriedWithVoice = 233;
    public const int SipDeduplicationStoreFailed = 234;
    public const int SipWebhookRefused = 240;
    public const int SipWebhookDuplicate = 241;
    public const int SipWebhookIgnored = 242;
    public const int SipWebhookCall = 243;
    public const int SipWebhookInsecure = 244;
    public const int SipCallFailed = 245;
    public const int StartupSipInsecure = 250;
    public const int StartupSipDisabled = 251;
    public const int StartupSipNotLoopback = 252;

    // 300–319: the durable call journal (Calls/StoreCallJournal).
    public const int JournalWriteFailed = 300;
    public const int JournalRecovered = 301;
    public const int JournalDropped = 302;
    public const int JournalPoisonDropped = 303;

    // 1200–1249: hardening (issue 21).
    public const int JournalQueueFull = 1200;

    // 1300–1329: drop-in compatibility, part A (issue 17): chatbot callbacks (Switchboard.Server Chatbot/ChatbotEndpoints).
    public const int ChatbotCallbackRefused = 1300;
    public const int ChatbotCallbackAccepted = 1301;

    // 600–609 and 614–619: session legs (Sessions/SessionLog); 600, 601, 603–606, 608, 609 and 612 were the session engine's, now the call engine's (100–149).
    public const int SessionSuperseded = 602;
    public const int SessionClientError = 607;
    public const int SessionBrowserAction = 614;

    // 610–613: session endpoints (Switchboard.Server Sessions/SessionEndpoints).
    public const int SessionCreated = 610;
    public const int SessionConnectionRefused = 611;
    public const int SessionWebSocketFailed = 613;

    // 700–709: post-call webhook delivery (Webhooks/WebhookDispatcher).
    public const int WebhookDelivered = 700;
    public const int WebhookAttemptFailed = 701;
    public const int WebhookGaveUp = 702;
    public const int WebhookOutboxUnreachable = 703;

    // 710–719: agent tools: HTTP tools (Agents/Tools/HttpToolInvoker) and the tool runner (Agents/Tools/ToolRunner;
    // its ids were 700–702, which the webhook dispatcher also used).
    public const int HttpToolAnswered = 710;
    public const int HttpToolUnreachable = 711;
    public const int ToolInvalidArguments = 712;
    public const int ToolTimedOut = 713;
    public const int ToolFailed = 714;

    // 720–729: remote agent configuration (Agents/Tools/RemoteAgentConfig; documented in docs/tools.md).
    public const int RemoteConfigFailed = 720;
    public const int RemoteConfigUsingStale = 721;
    public const int RemoteConfigUsingStored = 722;

    // 730–739: the outbound policy for tenant-chosen URLs (Network/OutboundPolicy; docs/security.md).
    public const int OutboundRefused = 730;
    public const int OutboundLegacyAllowPrivate = 731;

    // 800–809: rate limits (Switchboard.Server RateLimiting/RateLimitRefusals).
    public const int RateLimitRefused = 800;

    // 1000–1049: Telegram bot, Mini App calls, operator bridge, public origin (Telegram/TelegramLog; Switchboard.Server Telegram/).
    public const int TelegramBotStarted = 1000;
    public const int TelegramBotApiFailed = 1001;
    public const int TelegramCallButtonSent = 1002;
    public const int TelegramCommandRefused = 1003;
    public const int TelegramWebhookSet = 1004;
    public const int TelegramWebhookRejected = 1005;
    public const int TelegramUpdateFailed = 1006;
    public const int TelegramBotStopped = 1007;
    public const int TelegramBootstrapRefused = 1010;
    public const int TelegramBootstrapAccepted = 1011;
    public const int TelegramCallSocketRefused = 1012;
    public const int TelegramCallEnded = 1013;
    public const int TelegramCallFailed = 1014;
    public const int TelegramBridgeConnected = 1020;
    public const int TelegramBridgeRefused = 1021;
    public const int TelegramBridgeDisconnected = 1022;
    public const int TelegramSurfaceChanged = 1023;
    public const int TelegramTunnelStarted = 1030;
    public const int TelegramTunnelExited = 1031;
    public const int TelegramTunnelFailed = 1032;
    public const int TelegramEndpointReady = 1040;
    public const int TelegramHousekeepingFailed = 1041;
    public const int TelegramPartFailed = 1042;
    public const int TelegramChannelStarted = 1043;
    public const int TelegramNotCallable = 1044;

    // 1100–1149: telemetry (Switchboard.Server Telemetry/TelemetryLog; docs/observability.md).
    public const int TelemetryMetricsServed = 1100;
    public const int TelemetryOtlpExport = 1101;

    // 1150–1159: call milestones, one line each with stable names for operators' log alerts (Calls/CallMilestones; docs/migrating.md).
    public const int MilestoneStart = 1150;
    public const int MilestoneBackendConnect = 1151;
    public const int MilestoneBackendReady = 1152;
    public const int MilestoneFirstAudioSent = 1153;
    public const int MilestoneEnd = 1154;

    // 1160–1169: compatibility with other voice servers (Server Hosting/StartupReport).
    public const int StartupCarrierQuickStart = 1160;

    // 1330–1349: listen sessions following a live call (Sessions/ListenLog; docs/sessions.md).
    public const int ListenStarted = 1330;
    public const int ListenEnded = 1331;
    public const int ListenRefused = 1332;
    public const int ListenFailed = 1333;

    // 1400–1429: shared state on Redis (Cluster/RedisLog, Limits/RedisSlots; docs/cluster.md).
    public const int RedisConnected = 1400;
    public const int RedisConnectionFailed = 1401;
    public const int RedisConnectionRestored = 1402;
    public const int RedisSlotsUnavailable = 1403;
    public const int RedisSlotRenewalFailed = 1404;

    // 1430–1459: the cluster call registry: node leases, control from any node, orphan reaping (Cluster/ClusterLog; docs/cluster.md).
    public const int ClusterJoined = 1430;
    public const int ClusterRenewalFailed = 1431;
    public const int ClusterReconciled = 1432;
    public const int ClusterReapStarted = 1433;
    public const int ClusterReaped = 1434;
    public const int ClusterReapFailed = 1435;
    public const int ClusterCarrierHangup = 1436;
    public const int ClusterForwarded = 1437;
    public const int ClusterForwardTimedOut = 1438;
    public const int ClusterBadEntry = 1439;
    public const int ClusterBadMessage = 1440;
    public const int ClusterReplyFailed = 1441;
    public const int ClusterCommandHandled = 1442;
    public const int ClusterUnavailable = 1443;
    public const int ClusterLeft = 1444;
    public const int ClusterHangupFailed = 1445;

    // 1460–1479: rate limits and budgets counted across nodes in Redis (Server RateLimiting/RateLimitCounter, Limits/RedisBudgets; docs/cluster.md).
    public const int RateLimitSharedUnavailable = 1460;
    public const int RateLimitSharedRestored = 1461;
    public const int BudgetSyncFailed = 1462;
    public const int BudgetStoreReadFailed = 1463;

    // 1480–1499: session superseding and the Telegram call surface across nodes (Sessions/SessionOwnership,
    // Telegram/RedisTelegramState; docs/cluster.md).
    public const int SessionOwnerUnavailable = 1480;
    public const int SessionOwnerTold = 1481;
    public const int SessionSupersededRemotely = 1482;
    public const int SessionOwnerReconciled = 1483;
    public const int SessionOwnerRenewalFailed = 1484;
    public const int TelegramSharedStateUnavailable = 1490;
    public const int TelegramLeaseExpired = 1491;

    // 1380–1399: crash recovery, calls a stopped node left open closed node_lost at its restart (Calls/NodeLostReaper; docs/reliability.md).
    public const int NodeLostCallClosed = 1380;
    public const int NodeLostReaped = 1381;
    public const int NodeLostFailed = 1382;

    // 1350–1379: backend fault tolerance: reconnect and replay, session recycle (Calls/CallLog; docs/reliability.md).
    public const int CallBackendDropped = 1350;
    public const int CallBackendReconnectAttemptFailed = 1351;
    public const int CallBackendReconnected = 1352;
    public const int CallBackendReconnectGaveUp = 1353;
    public const int CallBackendRecycling = 1354;

    // 1355–1369: provider failover, a call moved to its endpoint's fallback backend (Calls/CallLog; docs/reliability.md).
    public const int CallBackendFailover = 1355;
    public const int CallBackendFallbackUnavailable = 1356;

    // 4100–4149: the built-in local realtime backend's sessions (Backends/Local/Log).
    public const int LocalSessionStarted = 4100;
    public const int LocalSessionEnded = 4101;
    public const int LocalClientError = 4102;
    public const int LocalResponseStarted = 4103;
    public const int LocalResponseFinished = 4104;
    public const int LocalCallerTurn = 4105;
    public const int LocalBargeIn = 4106;
    public const int LocalMessageTooBig = 4107;
    public const int LocalResponseFailed = 4108;
    public const int LocalTruncated = 4109;
    public const int LocalSessionFailed = 4110;

    // 4150–4169: the local realtime backend's host (Switchboard.Server LocalBackend/Log).
    public const int LocalHostStarted = 4150;
    public const int LocalHostStopped = 4151;
    public const int LocalHostRefused = 4152;
    public const int LocalHostScenarioLoaded = 4153;
    public const int LocalHostStopTimedOut = 4154;
}
