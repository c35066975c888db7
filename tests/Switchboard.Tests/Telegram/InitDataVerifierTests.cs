using Microsoft.Extensions.Time.Testing;
using Switchboard.Configuration;
using Switchboard.Telegram;
using Switchboard.Testing.Telegram;

namespace Switchboard.Tests.Telegram;

public sealed class InitDataVerifierTests
{
    // PROTOCOLS.md §4.1 (init-data-golang validate_test.go).
    private const string VectorToken = "5768337691:AAH5YkoiEuPk8-FZa32hStHTqXiLPtAEhx8";
    private const string VectorInitData = "query_id=AAHdF6IQAAAAAN0XohDhrOrc&user=%7B%22id%22%3A279058397%2C%22first_name%22%3A%22Vladislav%22%2C%22last_name%22%3A%22Kibenko%22%2C%22username%22%3A%22vdkfrost%22%2C%22language_code%22%3A%22ru%22%2C%22is_premium%22%3Atrue%7D&auth_date=1662771648&hash=c501b71e775f74ce10e377dea85a7ea24ecd640b223ea86dfe453e0eaed2e2b2";

    // PROTOCOLS.md §4.2 (validate_third_party_test.go): bot 7342037359, production key; its hash is for a token we do not have.
    private const string SignedInitData = "user=%7B%22id%22%3A279058397%2C%22first_name%22%3A%22Vladislav%20%2B%20-%20%3F%20%5C%2F%22%2C%22last_name%22%3A%22Kibenko%22%2C%22username%22%3A%22vdkfrost%22%2C%22language_code%22%3A%22ru%22%2C%22is_premium%22%3Atrue%2C%22allows_write_to_pm%22%3Atrue%2C%22photo_url%22%3A%22https%3A%5C%2F%5C%2Ft.me%5C%2Fi%5C%2Fuserpic%5C%2F320%5C%2F4FPEE4tmP3ATHa57u6MqTDih13LTOiMoKoLDRG4PnSA.svg%22%7D&chat_instance=8134722200314281151&chat_type=private&auth_date=1733584787&hash=2174df5b000556d044f3f020384e879c8efcab55ddea2ced4eb752e93e7080d6&signature=zL-ucjNyREiHDE8aihFwpfR9aggP2xiAo3NSpfe-p7IbCisNlDKlo7Kb6G4D0Ao2mBrSgEk4maLSdv6MLIlADQ";

    private static InitDataVerifier Verifier(string token, DateTimeOffset now, string[]? keys = null, int maxAgeSeconds = 3600) =>
        new(token, keys ?? [TelegramOptions.ProductionPublicKey], TimeSpan.FromSeconds(maxAgeSeconds), new FakeTimeProvider(now));

    [Fact]
    public void Verify_ProtocolVector_IsValidWithItsUser()
    {
        var check = Verifier(VectorToken, DateTimeOffset.FromUnixTimeSeconds(1662771648 + 60)).Verify(VectorInitData);

        Assert.Equal(InitDataStatus.Valid, check.Status);
        Assert.Equal(279058397, check.Data!.UserId);
        Assert.Equal("vdkfrost", check.Data.Username);
        Assert.False(check.Data.BySignature);
        Assert.Null(check.Data.ChatId);
    }

    [Fact]
    public void Verify_SignedWithTheTestSigner_IsValid()
    {
        var now = DateTimeOffset.UtcNow;
        var initData = InitDataSigner.Sign("123:secret", 42, now.AddSeconds(-5));

        var check = Verifier("123:secret", now).Verify(initData);

        Assert.True(check.IsValid, check.Reason);
        Assert.Equal(42, check.Data!.UserId);
    }

    [Theory]
    [InlineData("%22id%22%3A279058397", "%22id%22%3A279058398")] // another user
    [InlineData("auth_date=1662771648", "auth_date=1662771649")]
    [InlineData("hash=c501", "hash=d501")]
    public void Verify_TamperedField_IsBadSignature(string from, string to)
    {
        var check = Verifier(VectorToken, DateTimeOffset.FromUnixTimeSeconds(1662771648 + 60)).Verify(VectorInitData.Replace(from, to, StringComparison.Ordinal));

        Assert.Equal(InitDataStatus.BadSignature, check.Status);
        Assert.Null(check.Data);
    }

    [Fact]
    public void Verify_AnotherBotsToken_IsBadSignature()
    {
        var check = Verifier("5768337691:AAH5YkoiEuPk8-FZa32hStHTqXiLPtAEhx9", DateTimeOffset.FromUnixTimeSeconds(1662771648)).Verify(VectorInitData);

        Assert.Equal(InitDataStatus.BadSignature, check.Status);
    }

    [Fact]
    public void Verify_OlderThanTheWindow_IsStale()
    {
        var check = Verifier(VectorToken, DateTimeOffset.FromUnixTimeSeconds(1662771648 + 3601)).Verify(VectorInitData);

        Assert.Equal(InitDataStatus.Stale, check.Status);
        Assert.Contains("stale", check.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_FromTheFuture_IsStale()
    {
        var check = Verifier(VectorToken, DateTimeOffset.FromUnixTimeSeconds(1662771648 - 600)).Verify(VectorInitData);

        Assert.Equal(InitDataStatus.Stale, check.Status);
    }

    [Fact]
    public void Verify_Ed25519Vector_IsValidBySignature()
    {
        // The HMAC fails (we do not own that bot's token), so only the third-party signature can prove it.
        var check = Verifier("7342037359:not-the-real-secret", DateTimeOffset.FromUnixTimeSeconds(1733584787 + 10)).Verify(SignedInitData);

        Assert.True(check.IsValid, check.Reason);
        Assert.True(check.Data!.BySignature);
        Assert.Equal(279058397, check.Data.UserId);
        Assert.Equal("private", check.Data.ChatType);
    }

    [Fact]
    public void Verify_Ed25519ForAnotherBotId_IsBadSignature()
    {
        var check = Verifier("7342037358:not-the-real-secret", DateTimeOffset.FromUnixTimeSeconds(1733584787 + 10)).Verify(SignedInitData);

        Assert.Equal(InitDataStatus.BadSignature, check.Status);
    }

    [Fact]
    public void Verify_Ed25519WithoutConfiguredKeys_IsBadSignature()
    {
        var check = Verifier("7342037359:x", DateTimeOffset.FromUnixTimeSeconds(1733584787 + 10), keys: []).Verify(SignedInitData);

        Assert.Equal(InitDataStatus.BadSignature, check.Status);
    }

    [Fact]
    public void Verify_Ed25519UnderTheTestKeyOnly_IsBadSignature()
    {
        var check = Verifier("7342037359:x", DateTimeOffset.FromUnixTimeSeconds(1733584787 + 10), keys: [TelegramOptions.TestPublicKey]).Verify(SignedInitData);

        Assert.Equal(InitDataStatus.BadSignature, check.Status);
    }

    [Fact]
    public void Verify_Ed25519TamperedField_IsBadSignature()
    {
        var tampered = SignedInitData.Replace("chat_type=private", "chat_type=group", StringComparison.Ordinal);

        var check = Verifier("7342037359:x", DateTimeOffset.FromUnixTimeSeconds(1733584787 + 10)).Verify(tampered);

        Assert.Equal(InitDataStatus.BadSignature, check.Status);
    }

    [Theory]
    [InlineData("")]
    [InlineData("no-equals-sign")]
    [InlineData("a=1&a=2")]
    [InlineData("=value")]
    public void Verify_Malformed_IsMalformed(string initData)
    {
        Assert.Equal(InitDataStatus.Malformed, Verifier(VectorToken, DateTimeOffset.UtcNow).Verify(initData).Status);
    }

    [Fact]
    public void Verify_SignedWithoutUser_IsNoUser()
    {
        var now = DateTimeOffset.UtcNow;
        var initData = InitDataSigner.Sign("123:secret", 42, now, new Dictionary<string, string> { ["user"] = "{\"first_name\":\"x\"}" });

        Assert.Equal(InitDataStatus.NoUser, Verifier("123:secret", now).Verify(initData).Status);
    }

    [Fact]
    public void Verify_ChatField_IsRead()
    {
        var now = DateTimeOffset.UtcNow;
        var initData = InitDataSigner.Sign("123:secret", 42, now, new Dictionary<string, string> { ["chat"] = "{\"id\":-100123,\"type\":\"group\"}" });

        var check = Verifier("123:secret", now).Verify(initData);

        Assert.True(check.IsValid, check.Reason);
        Assert.Equal(-100123, check.Data!.ChatId);
    }
}
