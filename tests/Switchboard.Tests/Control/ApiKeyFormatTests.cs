using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Switchboard.Control;

namespace Switchboard.Tests.Control;

public class ApiKeyFormatTests
{
    [Fact]
    public void Generate_NewKey_IsMarkerPrefixAndUrlSafeSecretWithItsSha256()
    {
        var (plaintext, prefix, hash) = ApiKeyFormat.Generate();

        Assert.Matches(new Regex("^sb_[a-km-np-z2-9]{8}_[A-Za-z0-9_-]{43}$"), plaintext);
        Assert.Equal(plaintext[..11], prefix);
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(plaintext)), hash);
        Assert.Equal(hash, ApiKeyFormat.Hash(plaintext));
    }

    [Fact]
    public void Generate_ManyKeys_AllDifferInSecretAndPrefix()
    {
        var keys = Enumerable.Range(0, 200).Select(_ => ApiKeyFormat.Generate()).ToList();
        Assert.Equal(keys.Count, keys.Select(k => k.Plaintext).Distinct().Count());
        Assert.True(keys.Select(k => k.Prefix).Distinct().Count() > 190);
    }

    [Fact]
    public void TryGetPrefix_GeneratedKey_ReturnsItsPrefix()
    {
        var (plaintext, prefix, _) = ApiKeyFormat.Generate();
        Assert.True(ApiKeyFormat.TryGetPrefix(plaintext, out var extracted));
        Assert.Equal(prefix, extracted);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sb_")]
    [InlineData("sb_abcdefgh")]
    [InlineData("sb_abcdefgh_")]
    [InlineData("xx_abcdefgh_secret")]
    [InlineData("SB_abcdefgh_secret")]
    [InlineData("sb_abcdefghXsecret")]
    [InlineData("sb_abcdefg_secret")]
    [InlineData("Bearer sb_abcdefgh_secret")]
    public void TryGetPrefix_Malformed_IsFalseWithEmptyPrefix(string? key)
    {
        Assert.False(ApiKeyFormat.TryGetPrefix(key, out var prefix));
        Assert.Equal("", prefix);
    }

    [Fact]
    public void TryGetPrefix_LengthLimit_128AcceptedAnd129Refused()
    {
        var atLimit = "sb_abcdefgh_" + new string('x', 128 - 12);
        var tooLong = atLimit + "x";

        Assert.True(ApiKeyFormat.TryGetPrefix(atLimit, out var prefix));
        Assert.Equal("sb_abcdefgh", prefix);
        Assert.False(ApiKeyFormat.TryGetPrefix(tooLong, out _));
        Assert.False(ApiKeyFormat.TryGetPrefix("sb_abcdefgh_" + new string('x', 10_000), out _));
    }

    [Fact]
    public void Matches_TheKeyItself_IsTrue()
    {
        var (plaintext, _, hash) = ApiKeyFormat.Generate();
        Assert.True(ApiKeyFormat.Matches(plaintext, hash));
    }

    [Fact]
    public void Matches_OneCharacterOffOrAnotherKey_IsFalse()
    {
        var (plaintext, _, hash) = ApiKeyFormat.Generate();
        var last = plaintext[^1];
        var tampered = plaintext[..^1] + (last == 'a' ? 'b' : 'a');

        Assert.False(ApiKeyFormat.Matches(tampered, hash));
        Assert.False(ApiKeyFormat.Matches(ApiKeyFormat.Generate().Plaintext, hash));
        Assert.False(ApiKeyFormat.Matches(plaintext + " ", hash));
        Assert.False(ApiKeyFormat.Matches(plaintext.ToUpperInvariant(), hash));
    }

    [Fact]
    public void Matches_StoredHashOfAnotherLength_IsFalseNotAnError()
    {
        var (plaintext, _, hash) = ApiKeyFormat.Generate();
        Assert.False(ApiKeyFormat.Matches(plaintext, hash[..16]));
        Assert.False(ApiKeyFormat.Matches(plaintext, []));
    }

    [Theory]
    [InlineData("sb_k7f2m9qx", "sb_k7f2m9qx")]
    [InlineData(" sb_k7f2m9qx ", "sb_k7f2m9qx")]
    [InlineData("sb_k7f2m9qx_Qe3secretpart", "sb_k7f2m9qx")]
    [InlineData("k7f2m9qx", null)]
    [InlineData("sb_short", null)]
    public void PrefixOf_APrefixOrAWholeKey_IsThePrefix(string input, string? expected) =>
        Assert.Equal(expected, ApiKeyFormat.PrefixOf(input));
}
