using Switchboard.Telegram;

namespace Switchboard.Tests.Telegram;

public sealed class LaunchTokensTests
{
    private static readonly byte[] Key = LaunchTokens.DeriveKey("signing-key-of-this-gateway-0123"u8);
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Read_IssuedToken_IsValidWithItsClaims()
    {
        var (token, issued) = LaunchTokens.Issue(Key, "default", 42, 42, Now, TimeSpan.FromSeconds(120));

        var status = LaunchTokens.Read(Key, token, "default", Now.AddSeconds(119), out var claims);

        Assert.Equal(LaunchTokenStatus.Valid, status);
        Assert.Equal(issued, claims);
        Assert.Equal(42, claims!.UserId);
        Assert.Equal(Now.AddSeconds(120), claims.ExpiresAt);
        Assert.DoesNotContain(token, c => c is '+' or '/' or '=' or '&' or '?');
    }

    [Fact]
    public void Issue_TwoTokens_HaveDistinctIds()
    {
        var (_, a) = LaunchTokens.Issue(Key, "default", 42, 42, Now, TimeSpan.FromSeconds(120));
        var (_, b) = LaunchTokens.Issue(Key, "default", 42, 42, Now, TimeSpan.FromSeconds(120));

        Assert.NotEqual(a.Id, b.Id);
    }

    [Fact]
    public void Read_AtExpiry_IsExpired()
    {
        var (token, _) = LaunchTokens.Issue(Key, "default", 42, 42, Now, TimeSpan.FromSeconds(120));

        Assert.Equal(LaunchTokenStatus.Expired, LaunchTokens.Read(Key, token, "default", Now.AddSeconds(120), out _));
    }

    [Fact]
    public void Read_AnotherGatewaysKey_IsInvalid()
    {
        var (token, _) = LaunchTokens.Issue(LaunchTokens.DeriveKey("another-gateway"u8), "default", 42, 42, Now, TimeSpan.FromSeconds(120));

        Assert.Equal(LaunchTokenStatus.Invalid, LaunchTokens.Read(Key, token, "default", Now, out var claims));
        Assert.Null(claims);
    }

    [Fact]
    public void Read_AnotherBridge_IsInvalid()
    {
        var (token, _) = LaunchTokens.Issue(Key, "office", 42, 42, Now, TimeSpan.FromSeconds(120));

        Assert.Equal(LaunchTokenStatus.Invalid, LaunchTokens.Read(Key, token, "default", Now, out _));
    }

    [Fact]
    public void Read_PayloadChanged_IsInvalid()
    {
        var (token, _) = LaunchTokens.Issue(Key, "default", 42, 42, Now, TimeSpan.FromSeconds(120));
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        var payload = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(Pad(token[..dot])));
        var forged = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(payload.Replace(":42:42:", ":43:43:", StringComparison.Ordinal)))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_') + token[dot..];

        Assert.Equal(LaunchTokenStatus.Invalid, LaunchTokens.Read(Key, forged, "default", Now, out _));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("nodot")]
    [InlineData(".")]
    [InlineData("a.b")]
    [InlineData("!!!.???")]
    public void Read_Garbage_IsInvalid(string? token)
    {
        Assert.Equal(LaunchTokenStatus.Invalid, LaunchTokens.Read(Key, token, "default", Now, out _));
    }

    private static string Pad(string s) => s.Replace('-', '+').Replace('_', '/') + new string('=', (4 - (s.Length % 4)) % 4);
}
