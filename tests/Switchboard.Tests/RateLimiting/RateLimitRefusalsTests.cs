using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Configuration;
using Switchboard.Diagnostics;
using Switchboard.Server.RateLimiting;

namespace Switchboard.Tests.RateLimiting;

public sealed class RateLimitRefusalsTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly Capture _logs = new();
    private readonly CallerRateLimits _limits = new(Options.Create(new SwitchboardOptions
    {
        RateLimits = new RateLimitOptions { ApiPerKey = new() { TokenLimit = 1, TokensPerPeriod = 1, ReplenishmentPeriodSeconds = 30 } },
    }));

    public void Dispose()
    {
        _limits.Dispose();
        _logs.Dispose();
    }

    private RateLimitRefusals Refusals() => new(_time, LoggerFactory.Create(b => b.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace)));

    /// <summary>A refused lease of the key bucket (30 s period).</summary>
    private System.Threading.RateLimiting.RateLimitLease RefusedLease()
    {
        var key = Guid.NewGuid();
        // In-process buckets answer synchronously.
        _limits.TryAcquireAsync(key, Guid.NewGuid(), sessionCreation: false).AsTask().GetAwaiter().GetResult();
        return _limits.TryAcquireAsync(key, Guid.NewGuid(), sessionCreation: false).AsTask().GetAwaiter().GetResult()!.Value.Lease;
    }

    private static DefaultHttpContext Request()
    {
        var context = new DefaultHttpContext
        {
            RequestServices = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider(),
        };
        context.Request.Method = "GET";
        context.Request.Path = "/api/v1/team";
        context.Response.Body = new MemoryStream();
        return context;
    }

    [Fact]
    public void Refuse_FloodWithinOneWindow_LogsOneLineThenCountsTheRest()
    {
        var refusals = Refusals();

        for (var i = 0; i < 5; i++)
        {
            refusals.Refuse(Request(), RateLimitBucket.ApiPerKey, RefusedLease(), "key sb_k7f2m9qx");
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        var first = Assert.Single(_logs.Lines);
        Assert.Equal(EventIds.RateLimitRefused, first.EventId);
        Assert.Equal("Rate limit ApiPerKey refused GET /api/v1/team from key sb_k7f2m9qx: 429, retry after 30 s; refusals by this limit not logged since its previous line: 0", first.Text);

        _time.Advance(RateLimitRefusals.LogWindow);
        refusals.Refuse(Request(), RateLimitBucket.ApiPerKey, RefusedLease(), "key sb_k7f2m9qx");

        Assert.Equal(2, _logs.Lines.Count);
        Assert.EndsWith("not logged since its previous line: 4", _logs.Lines[1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuse_TwoLimits_EachLogsItsOwnLine()
    {
        var refusals = Refusals();

        refusals.Refuse(Request(), RateLimitBucket.ApiPerKey, RefusedLease(), "key sb_k7f2m9qx");
        refusals.Refuse(Request(), RateLimitBucket.ApiPerIp, RefusedLease(), "203.0.113.0/24");
        refusals.Refuse(Request(), RateLimitBucket.ApiPerIp, RefusedLease(), "203.0.113.0/24");

        Assert.Equal(2, _logs.Lines.Count);
        Assert.Contains("ApiPerIp", _logs.Lines[1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refuse_Result_Is429WithRetryAfterAndAProblemNamingTheLimit()
    {
        var context = Request();

        var result = Refusals().Refuse(context, RateLimitBucket.SessionsPerTeam, RefusedLease(), "team x");
        await result.ExecuteAsync(context);

        Assert.Equal(StatusCodes.Status429TooManyRequests, context.Response.StatusCode);
        Assert.Equal("30", context.Response.Headers.RetryAfter.ToString());
        Assert.StartsWith("application/problem+json", context.Response.ContentType, StringComparison.Ordinal);
        context.Response.Body.Position = 0;
        using var body = await JsonDocument.ParseAsync(context.Response.Body);
        var problem = body.RootElement;
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
        Assert.Equal("sessions", problem.GetProperty("rateLimit").GetString());
        Assert.Equal(30, problem.GetProperty("retryAfterSeconds").GetInt32());
        Assert.Equal("Too many sessions created for this team; retry after 30 s.", problem.GetProperty("detail").GetString());
        Assert.Equal(RateLimitProblem.Type, problem.GetProperty("type").GetString());
    }

    private sealed class Capture : ILoggerProvider
    {
        private readonly List<(int EventId, string Text)> _lines = [];

        public List<(int EventId, string Text)> Lines
        {
            get
            {
                lock (_lines)
                {
                    return [.. _lines];
                }
            }
        }

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(Capture capture) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (capture._lines)
                {
                    capture._lines.Add((eventId.Id, formatter(state, exception)));
                }
            }
        }
    }
}
