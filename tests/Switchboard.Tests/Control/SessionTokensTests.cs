using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Switchboard.Control;

namespace Switchboard.Tests.Control;

public class SessionTokensTests
{
    private static readonly byte[] Key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(300);

    private static SessionRecord NewSession(ManualTimeProvider time) => new()
    {
        Id = Guid.NewGuid(),
        TeamId = Guid.NewGuid(),
        EndpointId = Guid.NewGuid(),
        Mode = "text",
        CreatedAt = time.GetUtcNow(),
        ExpiresAt = time.GetUtcNow().AddHours(1),
    };

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '='));
    }

    /// <summary>Rewrites the payload of a compact JWT and re-signs it with <paramref name="key"/> (or keeps the old signature when null).</summary>
    private static string Rewrite(string token, Action<JsonObject> edit, byte[]? key = null, string? alg = null)
    {
        var parts = token.Split('.');
        var header = JsonNode.Parse(FromBase64Url(parts[0]))!.AsObject();
        var payload = JsonNode.Parse(FromBase64Url(parts[1]))!.AsObject();
        edit(payload);
        if (alg is not null)
        {
            header["alg"] = alg;
        }

        var signingInput = Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + Base64Url(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        var signature = key is null ? parts[2] : Base64Url(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(signingInput)));
        return signingInput + "." + signature;
    }

    [Fact]
    public async Task Issue_ThenValidate_ReturnsValidWithClaims()
    {
        var time = new ManualTimeProvider();
        var tokens = new SessionTokens(Key, Ttl, time);
        var session = NewSession(time);

        var issued = tokens.Issue(session);
        var result = await tokens.ValidateAsync(issued.Token, session.Id);

        Assert.Equal(SessionTokenStatus.Valid, result.Status);
        var claims = result.Claims!;
        Assert.Equal(session.Id, claims.SessionId);
        Assert.Equal(session.TeamId, claims.TeamId);
        Assert.Equal(session.EndpointId, claims.EndpointId);
        Assert.Equal("text", claims.Mode);
        Assert.Equal(issued.TokenId, claims.TokenId);
        Assert.Equal(issued.ExpiresAt, claims.ExpiresAt);
        Assert.Equal(Ttl, claims.ExpiresAt - claims.IssuedAt);
    }

    [Fact]
    public async Task Issue_ListenSession_TokenNamesTheCallAndTheNameCannotBeSwapped()
    {
        var time = new ManualTimeProvider();
        var tokens = new SessionTokens(Key, Ttl, time);
        var session = NewSession(time) with { Mode = "listen" };

        var issued = tokens.Issue(session, "call_0123");
        var result = await tokens.ValidateAsync(issued.Token, session.Id);
        var swapped = Rewrite(issued.Token, p => p["listen_to"] = "call_other");

        Assert.Equal("call_0123", result.Claims!.ListenTo);
        var text = NewSession(time);
        Assert.Null((await tokens.ValidateAsync(tokens.Issue(text).Token, text.Id)).Claims!.ListenTo);
        Assert.Equal(SessionTokenStatus.BadSignature, (await tokens.ValidateAsync(swapped, session.Id)).Status);
    }

    [Fact]
    public void Issue_Header_IsHs256Jwt()
    {
        var time = new ManualTimeProvider();
        var token = new SessionTokens(Key, Ttl, time).Issue(NewSession(time)).Token;
        var header = JsonNode.Parse(FromBase64Url(token.Split('.')[0]))!;
        Assert.Equal("HS256", (string?)header["alg"]);
        var payload = JsonNode.Parse(FromBase64Url(token.Split('.')[1]))!;
        Assert.Equal(SessionTokens.Issuer, (string?)payload["iss"]);
        Assert.Equal(SessionTokens.Audience, (string?)payload["aud"]);
    }

    [Fact]
    public async Task ValidateAsync_JustBeforeExpiry_IsValid()
    {
        var time = new ManualTimeProvider();
        var tokens = new SessionTokens(Key, Ttl, time);
        var session = NewSession(time);
        var token = tokens.Issue(session).Token;

        time.Advance(Ttl - TimeSpan.FromSeconds(1));

        Assert.Equal(SessionTokenStatus.Valid, (await tokens.ValidateAsync(token, session.Id)).Status);
    }

    [Fact]
    public async Task ValidateAsync_AfterExpiry_ReturnsExpired()
    {
        var time = new ManualTimeProvider();
        var tokens = new SessionTokens(Key, Ttl, time);
        var session = NewSession(time);
        var token = tokens.Issue(session).Token;

        time.Advance(Ttl + TimeSpan.FromSeconds(6));

        var result = await tokens.ValidateAsync(token, session.Id);
        Assert.Equal(SessionTokenStatus.Expired, result.Status);
        Assert.Null(result.Claims);
    }

    [Fact]
    public async Task ValidateAsync_IssuedInTheFutureBeyondSkew_ReturnsNotYetValid()
    {
        var issuerClock = new ManualTimeProvider();
        issuerClock.Advance(TimeSpan.FromMinutes(2));
        var session = NewSession(issuerClock);
        var token = new SessionTokens(Key, Ttl, issuerClock).Issue(session).Token;

        var result = await new SessionTokens(Key, Ttl, new ManualTimeProvider()).ValidateAsync(token, session.Id);

        Assert.Equal(SessionTokenStatus.NotYetValid, result.Status);
    }

    [Fact]
    public async Task ValidateAsync_TamperedPayload_ReturnsBadSignature()
    {
        var time = new ManualTimeProvider();
        var tokens = new SessionTokens(Key, Ttl, time);
        var session = NewSession(time);
        var other = Guid.NewGuid();
        var tampered = Rewrite(tokens.Issue(session).Token, p => p["sub"] = other.ToString("D"));

        Assert.Equal(SessionTokenStatus.BadSignature, (await tokens.ValidateAsync(tampered, other)).Status);
    }

    [Fact]
    public async Task ValidateAsync_TamperedSignature_ReturnsBadSignature()
    {
        var time = new ManualTimeProvider();
        var tokens = new SessionTokens(Key, Ttl, time);
        var session = NewSession(time);
        var token = tokens.Issue(session).Token;
        var signature = FromBase64Url(token.Split('.')[2]);
        signature[0] ^= 0x01;
        var tampered = token[..(token.LastIndexOf('.') + 1)] + Base64Url(signature);

        Assert.Equal(SessionTokenStatus.BadSignature, (await tokens.ValidateAsync(tampered, session.Id)).Status);
    }

    [Fact]
    public async Task ValidateAsync_SignedWithAnotherKey_ReturnsBadSignature()
    {
        var time = new ManualTimeProvider();
        var session = NewSession(time);
        var otherKey = RandomNumberGenerator.GetBytes(32);
        var token = new SessionTokens(otherKey, Ttl, time).Issue(session).Token;

        Assert.Equal(SessionTokenStatus.BadSignature, (await new SessionTokens(Key, Ttl, time).ValidateAsync(token, session.Id)).Status);
    }

    [Fact]
    public async Task ValidateAsync_AlgNoneWithoutSignature_IsRejected()
    {
        var time = new ManualTimeProvider();
        var tokens = new SessionTokens(Key, Ttl, time);
        var session = NewSession(time);
        var token = tokens.Issue(session).Token;
        var parts = Rewrite(token, _ => { }, alg: "none").Split('.');
        var unsigned = parts[0] + "." + parts[1] + ".";

        var result = await tokens.ValidateAsync(unsigned, session.Id);

        Assert.False(result.IsValid);
        Assert.Equal(SessionTokenStatus.BadSignature, result.Status);
    }

    [Fact]
    public async Task ValidateAsync_Hs512WithTheSameKey_IsRejected()
    {
        var time = new ManualTimeProvider();
        var tokens = new SessionTokens(Key, Ttl, time);
        var session = NewSession(time);
        var parts = Rewrite(tokens.Issue(session).Token, _ => { }, alg: "HS512").Split('.');
        var signingInput = parts[0] + "." + parts[1];
        var hs512 = signingInput + "." + Base64Url(HMACSHA512.HashData(Key, Encoding.ASCII.GetBytes(signingInput)));

        Assert.Equal(SessionTokenStatus.BadSignature, (await tokens.ValidateAsync(hs512, session.Id)).Status);
    }

    [Fact]
    public async Task ValidateAsync_WrongAudienceCorrectlySigned_ReturnsInvalidClaims()
    {
        var time = new ManualTimeProvider();
        var tokens = new SessionTokens(Key, Ttl, time);
        var session = NewSession(time);
        var token = Rewrite(tokens.Issue(session).Token, p => p["aud"] = "some-other-api", Key);

        Assert.Equal(SessionTokenStatus.InvalidClaims, (await tokens.ValidateAsync(token, session.Id)).Status);
    }

    [Fact]
    public async Task ValidateAsync_WrongIssuerCorrectlySigned_ReturnsInvalidClaims()
    {
        var time = new ManualTimeProvider();
        var tokens = new SessionTokens(Key, Ttl, time);
        var session = NewSession(time);
        var token = Rewrite(tokens.Issue(session).Token, p => p["iss"] = "someone-else", Key);

        Assert.Equal(SessionTokenStatus.InvalidClaims, (await tokens.ValidateAsync(token, session.Id)).Status);
    }

    [Fact]
    public async Task ValidateAsync_MissingTeamClaim_ReturnsInvalidClaims()
    {
        var time = new ManualTimeProvider();
        var tokens = new SessionTokens(Key, Ttl, time);
        var session = NewSession(time);
        var token = Rewrite(tokens.Issue(session).Token, p => p.Remove("team_id"), Key);

        Assert.Equal(SessionTokenStatus.InvalidClaims, (await tokens.ValidateAsync(token, session.Id)).Status);
    }

    [Fact]
    public async Task ValidateAsync_TokenOfAnotherSession_ReturnsWrongSession()
    {
        var time = new ManualTimeProvider();
        var tokens = new SessionTokens(Key, Ttl, time);
        var mine = NewSession(time);
        var theirs = NewSession(time);
        var theirToken = tokens.Issue(theirs).Token;

        var result = await tokens.ValidateAsync(theirToken, mine.Id);

        Assert.Equal(SessionTokenStatus.WrongSession, result.Status);
        Assert.Null(result.Claims);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("not-a-jwt")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d.e.f")]
    [InlineData("!!!.???.***")]
    public async Task ValidateAsync_Garbage_ReturnsMalformed(string token)
    {
        var time = new ManualTimeProvider();
        var tokens = new SessionTokens(Key, Ttl, time);

        Assert.Equal(SessionTokenStatus.Malformed, (await tokens.ValidateAsync(token, Guid.NewGuid())).Status);
    }

    [Fact]
    public async Task ValidateAsync_Null_ReturnsMalformed()
    {
        var tokens = new SessionTokens(Key, Ttl, new ManualTimeProvider());
        Assert.Equal(SessionTokenStatus.Malformed, (await tokens.ValidateAsync(null, Guid.NewGuid())).Status);
    }

    [Fact]
    public void Constructor_ShortKey_Throws()
    {
        Assert.Throws<ArgumentException>(() => new SessionTokens(new byte[16], Ttl, TimeProvider.System));
    }
}
