using Switchboard.Chatbot;
using Switchboard.Control;
using Switchboard.Journal;
using Switchboard.SipConnector;
using Switchboard.Telegram;
using Switchboard.Webhooks;

namespace Switchboard.Storage;

/// <summary>
/// The gateway's durable storage: SQLite (embedded default) or PostgreSQL, chosen by <c>Switchboard:Storage:Provider</c>.
/// Both implementations run the same test suite. Each feature owns the narrow interface it uses (teams, keys, sessions,
/// settings: Control; endpoints: Agents; calls: Journal; webhooks: Webhooks; the SIP connector's webhook ids: SipConnector;
/// redeemed launch tokens: Telegram; chatbot channels and conversations: Chatbot; the database itself: Common); this is all of them in one, as the adapters implement it and the host registers it.
/// </summary>
internal interface IStore : IControlPlaneStore, IApiKeyStore, ICallStore, ISessionStore, IWebhookStore, ISipWebhookStore, ILaunchTokenStore, IChatbotStore;
