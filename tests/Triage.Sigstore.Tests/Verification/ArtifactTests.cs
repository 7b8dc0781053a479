using System.Security.Cryptography;
using Triage.Sigstore.Tests.Support;
using Triage.Sigstore.Verification;

namespace Triage.Sigstore.Tests.Verification;

public sealed class ArtifactTests
{
    [Theory]
    [InlineData("sha256:ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789", "SHA256")]
    [InlineData("SHA512:00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000", "SHA512")]
    public void Parse_AlgorithmAndHex_IsAccepted(string text, string algorithm)
    {
        var digest = ArtifactDigest.Parse(text);

        Assert.Equal(new HashAlgorithmName(algorithm), digest.Algorithm);
        Assert.Equal(text[(text.IndexOf(':') + 1)..].ToLowerInvariant(), digest.ToString()[(digest.ToString().IndexOf(':') + 1)..]);
    }

    [Theory]
    [InlineData("abcdef")]
    [InlineData("md5:d41d8cd98f00b204e9800998ecf8427e")]
    [InlineData("sha256:abcd")]
    [InlineData("sha256:zz23456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void Parse_Malformed_SaysWhy(string text)
    {
        var e = Assert.Throws<FormatException>(() => ArtifactDigest.Parse(text));
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }

    [Fact]
    public void FromStreamAndFromBytes_GiveTheSameDigests()
    {
        var fromBytes = Artifact.FromBytes(Fixtures.Artifact);
        var fromStream = Artifact.FromStream(new MemoryStream(Fixtures.Artifact));

        foreach (var algorithm in new[] { HashAlgorithmName.SHA256, HashAlgorithmName.SHA384, HashAlgorithmName.SHA512 })
            Assert.Equal(fromBytes.GetDigest(algorithm), fromStream.GetDigest(algorithm));
        Assert.Equal(SHA256.HashData(Fixtures.Artifact), fromStream.GetDigest(HashAlgorithmName.SHA256));
        Assert.Null(fromStream.Bytes);
        Assert.Null(Artifact.FromDigest(Fixtures.ArtifactSha256).GetDigest(HashAlgorithmName.SHA512));
    }
}
