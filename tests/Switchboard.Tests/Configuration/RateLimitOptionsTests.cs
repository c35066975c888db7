using Microsoft.Extensions.Configuration;
using Switchboard.Configuration;

namespace Switchboard.Tests.Configuration;

public class RateLimitOptionsTests
{
    private static SwitchboardOptions Bind(Dictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection(SwitchboardOptions.SectionName).Get<SwitchboardOptions>()!;

    [Fact]
    public void Collect_BadBuckets_ReportsEveryOneNamingTheKey()
    {
        var options = new SwitchboardOptions
        {
            RateLimits = new RateLimitOptions
            {
                ApiPerKey = new RateLimitBucketOptions { TokenLimit = 0 },
                ApiPerTeam = new RateLimitBucketOptions { TokenLimit = 10, TokensPerPeriod = 11 },
                CarriersPerIp = new RateLimitBucketOptions { ReplenishmentPeriodSeconds = 0.01 },
                DemoPerIp = new RateLimitBucketOptions { ReplenishmentPeriodSeconds = double.NaN },
                SessionsPerTeam = new RateLimitBucketOptions { TokensPerPeriod = 0 },
            },
        };

        var errors = SwitchboardOptionsValidator.Collect(options).ToList();

        Assert.Contains("Switchboard:RateLimits:ApiPerKey:TokenLimit must be 1-1000000 (got 0).", errors);
        Assert.Contains("Switchboard:RateLimits:ApiPerTeam:TokensPerPeriod must be 1 to TokenLimit (got 11; TokenLimit is 10).", errors);
        Assert.Contains("Switchboard:RateLimits:CarriersPerIp:ReplenishmentPeriodSeconds must be 0.1-3600 (got 0.01).", errors);
        Assert.Contains(errors, e => e.StartsWith("Switchboard:RateLimits:DemoPerIp:ReplenishmentPeriodSeconds must be 0.1-3600", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Switchboard:RateLimits:SessionsPerTeam:TokensPerPeriod must be 1 to TokenLimit", StringComparison.Ordinal));
        Assert.Equal(5, errors.Count(e => e.Contains(":RateLimits:", StringComparison.Ordinal)));
    }

    [Fact]
    public void Collect_DisabledBucket_IsStillChecked()
    {
        // A typo in a bucket someone turned off would surface only when they turn it back on.
        var options = new SwitchboardOptions { RateLimits = new RateLimitOptions { Enabled = false, ApiPerIp = new RateLimitBucketOptions { Enabled = false, TokenLimit = -1 } } };

        Assert.Contains(SwitchboardOptionsValidator.Collect(options), e => e.StartsWith("Switchboard:RateLimits:ApiPerIp:TokenLimit", StringComparison.Ordinal));
    }

    [Fact]
    public void Bind_OneValueOfABucket_KeepsTheBucketsOtherDefaults()
    {
        var options = Bind(new() { ["Switchboard:RateLimits:ApiPerKey:TokenLimit"] = "5", ["Switchboard:RateLimits:DemoPerIp:Enabled"] = "false" });

        var limits = options.RateLimits;
        Assert.True(limits.Enabled);
        Assert.Equal(5, limits.ApiPerKey.TokenLimit);
        Assert.Equal(new RateLimitOptions().ApiPerKey.TokensPerPeriod, limits.ApiPerKey.TokensPerPeriod);
        Assert.Equal(1, limits.ApiPerKey.ReplenishmentPeriodSeconds);
        Assert.False(limits.DemoPerIp.Enabled);
        Assert.Equal(60, limits.DemoPerIp.TokenLimit);
        Assert.Equal(new RateLimitOptions().ApiPerTeam, limits.ApiPerTeam);
    }

    [Fact]
    public void Bind_FractionalPeriod_IsSeconds()
    {
        var options = Bind(new() { ["Switchboard:RateLimits:SessionSocketsPerIp:ReplenishmentPeriodSeconds"] = "0.5" });

        Assert.Equal(0.5, options.RateLimits.SessionSocketsPerIp.ReplenishmentPeriodSeconds);
    }

    [Fact]
    public void Defaults_AdmitTheLoadGeneratorAndAreTighterPerKeyThanPerAddress()
    {
        var limits = new RateLimitOptions();

        // bench/Switchboard.LoadGen opens its largest step, 1000 Twilio streams, from one address within seconds.
        Assert.True(limits.CarriersPerIp.TokenLimit >= 1000, "CarriersPerIp must admit a 1000-call step of the load generator");
        Assert.True(limits.SessionSocketsPerIp.TokenLimit >= 300);
        // Sessions are the expensive request: their budget is the tightest, then key, team, address.
        Assert.True(limits.SessionsPerKey.TokenLimit < limits.ApiPerKey.TokenLimit);
        Assert.True(limits.SessionsPerKey.TokenLimit <= limits.SessionsPerTeam.TokenLimit);
        Assert.True(limits.ApiPerKey.TokenLimit < limits.ApiPerTeam.TokenLimit);
        Assert.True(limits.ApiPerTeam.TokenLimit < limits.ApiPerIp.TokenLimit);
        Assert.True(limits.ApiPerKey.TokensPerPeriod < limits.ApiPerTeam.TokensPerPeriod);
    }
}
