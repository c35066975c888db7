namespace Switchboard.LocalAgent.Protocol;

/// <summary>Identifiers shaped like the real service's: a prefix and 21 random base-62 characters.</summary>
internal static class LocalIds
{
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public static string Session() => New("sess_");

    public static string Item() => New("item_");

    public static string Response() => New("resp_");

    public static string Call() => New("call_");

    public static string Conversation() => New("conv_");

    private static string New(string prefix) =>
        string.Create(prefix.Length + 21, prefix, static (span, p) =>
        {
            p.AsSpan().CopyTo(span);
            // Not security-relevant: ids only need to be unique within a session.
            Random.Shared.GetItems(Alphabet, span[p.Length..]);
        });
}
