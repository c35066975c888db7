using Switchboard.Configuration;
using Switchboard.Webhooks;

namespace Switchboard.Tests.Webhooks;

public class WebhookDispatcherTests
{
    [Theory]
    [InlineData(1, 0.0, 2.5)]
    [InlineData(1, 0.999999, 5)]
    [InlineData(2, 0.0, 15)]
    [InlineData(5, 0.0, 900)]
    [InlineData(6, 0.5, 2700)]
    [InlineData(29, 0.0, 1800)]
    public void RetryDelay_DefaultSchedule_IsBetweenHalfAndAllOfTheStep(int attempt, double jitter, double expectedSeconds) =>
        Assert.Equal(expectedSeconds, WebhookDispatcher.RetryDelay(WebhookOptions.DefaultRetrySchedule, attempt, jitter).TotalSeconds, 2);

    [Fact]
    public void Validate_Defaults_AreValid() => Assert.Empty(new WebhookOptions().Validate("Switchboard:Webhooks"));

    [Fact]
    public void Validate_BadValues_NameEveryKey()
    {
        var errors = new WebhookOptions
        {
            TimeoutSeconds = 0,
            MaxAttempts = 0,
            RetryScheduleSeconds = [5, -1],
            PollIntervalSeconds = 0,
            LeaseSeconds = 0.5,
            MaxConcurrency = 0,
        }.Validate("Switchboard:Webhooks").ToList();
        foreach (var key in new[] { "TimeoutSeconds", "MaxAttempts", "RetryScheduleSeconds", "PollIntervalSeconds", "LeaseSeconds", "MaxConcurrency" })
        {
            Assert.Contains(errors, e => e.StartsWith("Switchboard:Webhooks:" + key, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Validate_LeaseNotLongerThanTimeout_IsRefused() =>
        Assert.Contains(new WebhookOptions { TimeoutSeconds = 30, LeaseSeconds = 30 }.Validate("p"), e => e.Contains("LeaseSeconds", StringComparison.Ordinal));
}
