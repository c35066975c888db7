using System.Security.Cryptography;

namespace Switchboard.Cli.Simulation;

/// <summary>
/// The identifiers a carrier puts on a stream. Twilio uses <see cref="StreamId"/> = streamSid "MZ…",
/// <see cref="CallId"/> = callSid "CA…" and <see cref="AccountId"/> = accountSid "AC…"; Telnyx uses
/// stream_id (a UUID), call_control_id "v3:…", call_session_id and user_id.
/// </summary>
internal sealed record CallIdentity(string StreamId, string CallId, string AccountId, string SessionId, string From, string To)
{
    /// <summary>Fresh Twilio-shaped identifiers: 34-character SIDs with lowercase hex, as Twilio issues them.</summary>
    public static CallIdentity NewTwilio() => new(
        "MZ" + RandomHex(16), "CA" + RandomHex(16), "AC" + RandomHex(16), string.Empty, "+15550100001", "+15550100002");

    /// <summary>Fresh Telnyx-shaped identifiers: UUIDs, and a "v3:" call control id with a URL-safe base64 body.</summary>
    public static CallIdentity NewTelnyx() => new(
        Guid.NewGuid().ToString(),
        "v3:" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(39)).Replace('+', '-').Replace('/', '_'),
        Guid.NewGuid().ToString(),
        Guid.NewGuid().ToString(),
        "+15550100001",
        "+15550100002");

    /// <summary>Fresh identifiers for <paramref name="carrier"/>.</summary>
    public static CallIdentity New(CarrierKind carrier) => carrier == CarrierKind.Twilio ? NewTwilio() : NewTelnyx();

    private static string RandomHex(int bytes) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));
}
