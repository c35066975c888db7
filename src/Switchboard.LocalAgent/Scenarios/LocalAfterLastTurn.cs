namespace Switchboard.LocalAgent.Scenarios;

/// <summary>What a scripted agent does once every scripted turn has been used.</summary>
internal enum LocalAfterLastTurn
{
    /// <summary>Answer like echo mode.</summary>
    Echo,

    /// <summary>Repeat the last scripted reply.</summary>
    RepeatLast,

    /// <summary>Answer with an empty message: no audio and an empty transcript.</summary>
    Silence,
}
