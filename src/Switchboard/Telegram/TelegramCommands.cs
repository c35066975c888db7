namespace Switchboard.Telegram;

/// <summary>The bot's commands, as <c>setMyCommands</c> lists them.</summary>
internal static class TelegramCommands
{
    public const string Call = "call";
    public const string Hangup = "hangup";
    public const string Status = "status";
    public const string Capabilities = "capabilities";
    public const string Start = "start";

    public static IReadOnlyList<(string Name, string Description)> All { get; } =
    [
        (Call, "Start a voice call"),
        (Hangup, "End the live call"),
        (Status, "Is calling armed, is a call live"),
        (Capabilities, "What is ready and what is not"),
    ];
}
