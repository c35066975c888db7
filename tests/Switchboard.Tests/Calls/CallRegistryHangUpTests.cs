using Switchboard.Calls;
using Switchboard.Journal;

namespace Switchboard.Tests.Calls;

/// <summary>The one hang-up path (the API's and a hang-up forwarded from another node): its four outcomes.</summary>
public class CallRegistryHangUpTests
{
    private static readonly Guid Team = Guid.NewGuid();

    private static ActiveCall Call(Func<string, string, string?, Task<bool>>? goodbye) =>
        new("call_1", "twilio", "CA1", DateTimeOffset.UnixEpoch, _ => Task.CompletedTask) { TeamId = Team, EndWithGoodbyeAsync = goodbye };

    [Fact]
    public void Accepted_StartsTheGoodbyeWithTheReasonAndWords()
    {
        var registry = new CallRegistry();
        (string Reason, string Detail, string? Say)? asked = null;
        var pending = new TaskCompletionSource<bool>();
        registry.Add(Call((reason, detail, say) => { asked = (reason, detail, say); return pending.Task; }));

        var attempt = registry.HangUp("call_1", Team, "cluster test", "Goodbye");

        Assert.Equal(HangupStatus.Accepted, attempt.Status);
        Assert.Equal((CallEndReason.OperatorHangup, "cluster test", "Goodbye"), asked);
        Assert.False(attempt.Ending!.IsCompleted);
    }

    [Fact]
    public void AnotherTeamsCall_OrAnUnknownOne_IsNotFound_AndNotTouched()
    {
        var registry = new CallRegistry();
        var touched = false;
        registry.Add(Call((_, _, _) => { touched = true; return Task.FromResult(true); }));

        Assert.Equal(HangupStatus.NotFound, registry.HangUp("call_1", Guid.NewGuid(), "x", null).Status);
        Assert.Equal(HangupStatus.NotFound, registry.HangUp("call_2", Team, "x", null).Status);
        Assert.False(touched);
    }

    [Fact]
    public void AlreadyEnding_And_NoGoodbye_AreConflicts()
    {
        var ending = new CallRegistry();
        ending.Add(Call((_, _, _) => Task.FromResult(false)));
        var bare = new CallRegistry();
        bare.Add(Call(null));

        Assert.Equal(HangupStatus.AlreadyEnding, ending.HangUp("call_1", Team, "x", null).Status);
        Assert.Equal(HangupStatus.NotSupported, bare.HangUp("call_1", Team, "x", null).Status);
    }
}
