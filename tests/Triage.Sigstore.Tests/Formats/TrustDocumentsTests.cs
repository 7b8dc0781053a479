using System.Security.Cryptography;
using Triage.Sigstore.Trust;
using Triage.Testing;

namespace Triage.Sigstore.Tests.Formats;

/// <summary>trusted_root.json and signing config files parse; the embedded public-good root is the shared snapshot.</summary>
public sealed class TrustDocumentsTests
{
    public static TheoryData<string> TrustedRootFiles()
    {
        var data = new TheoryData<string>();
        if (!TestPaths.SharedFixturesPresent)
        {
            data.Add("(shared fixtures missing)");
            return data;
        }
        var root = TestPaths.Fixture("sigstore");
        foreach (var file in Directory.EnumerateFiles(root, "*trusted_root.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(root, file));
        return data;
    }

    [FixtureTheory]
    [MemberData(nameof(TrustedRootFiles))]
    public void Parse_FixtureTrustedRoot_LoadsEveryAuthorityAndLog(string path)
    {
        var root = TrustedRoot.Load(TestPaths.Fixture("sigstore", path));

        Assert.True(root.TransparencyLogs.Count + root.CertificateAuthorities.Count + root.TimestampAuthorities.Count > 0);
        Assert.All(root.CertificateAuthorities.Concat(root.TimestampAuthorities), a => Assert.NotEmpty(a.CertChain));
        Assert.All(root.TransparencyLogs, l => Assert.NotEmpty(l.LogId));
    }

    [FixtureFact]
    public void PublicGood_EmbeddedRoot_IsTheSharedPublicGoodSnapshot()
    {
        var shipped = TrustedRoot.PublicGood;
        var shared = TrustedRoot.Load(TestPaths.Fixture("sigstore", "trusted-roots", "public-good.trusted_root.json"));

        Assert.Equal(shared.TransparencyLogs.Select(l => Convert.ToBase64String(l.LogId)), shipped.TransparencyLogs.Select(l => Convert.ToBase64String(l.LogId)));
        Assert.Equal(shared.CertificateTransparencyLogs.Select(l => Convert.ToBase64String(l.LogId)), shipped.CertificateTransparencyLogs.Select(l => Convert.ToBase64String(l.LogId)));
        Assert.Equal(shared.CertificateAuthorities.SelectMany(a => a.CertChain).Select(c => c.Thumbprint), shipped.CertificateAuthorities.SelectMany(a => a.CertChain).Select(c => c.Thumbprint));
        Assert.Contains(shipped.TransparencyLogs, l => l.BaseUrl == "https://rekor.sigstore.dev" && l.KeyDetails == "PKIX_ECDSA_P256_SHA_256");
        Assert.Contains(shipped.TransparencyLogs, l => l.BaseUrl == "https://log2025-1.rekor.sigstore.dev" && l.KeyDetails == "PKIX_ED25519");
    }

    [Fact]
    public void PublicGood_LogIds_AreTheHashOfTheirKeys()
    {
        // Rekor v1 and CT log ids are SHA-256 of the key's SPKI: a check that the embedded keys are intact.
        var rekor = TrustedRoot.PublicGood.TransparencyLogs.Single(l => l.BaseUrl == "https://rekor.sigstore.dev");
        Assert.Equal(rekor.LogId, SHA256.HashData(rekor.PublicKeyBytes!));
        Assert.All(TrustedRoot.PublicGood.CertificateTransparencyLogs, l => Assert.Equal(l.LogId, SHA256.HashData(l.PublicKeyBytes!)));
    }

    [Fact]
    public void Parse_ValidityWithNanosecondsAndOpenEnd_IsInclusive()
    {
        var root = TrustedRoot.Parse("""
            {"mediaType":"application/vnd.dev.sigstore.trustedroot.v0.2+json",
             "tlogs":[{"baseUrl":"https://log.example","hashAlgorithm":"SHA2_256",
               "publicKey":{"rawBytes":"AA==","keyDetails":"PKIX_ECDSA_P256_SHA_256","validFor":{"start":"2026-06-04T12:43:29.186617431Z","end":"2026-06-04T18:43:29Z"}},
               "logId":{"keyId":"AQID"}}]}
            """);

        var validity = root.TransparencyLogs[0].ValidFor;
        Assert.True(validity.Contains(DateTimeOffset.Parse("2026-06-04T18:43:29Z", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.False(validity.Contains(DateTimeOffset.Parse("2026-06-04T12:43:29Z", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.NotNull(root.FindTransparencyLog([1, 2, 3]));
        Assert.Null(root.TransparencyLogs[0].TryLoadKey(out var problem));
        Assert.Contains("https://log.example", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=9"}""", "mediaType")]
    [InlineData("""{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1","certificateAuthorities":[{"certChain":{"certificates":[{"rawBytes":"AAAA"}]}}]}""", "certificateAuthorities[0].certChain.certificates[0].rawBytes")]
    [InlineData("""{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1","tlogs":[{"baseUrl":"x"}]}""", "tlogs[0].logId")]
    public void Parse_MalformedTrustedRoot_ThrowsTypedError(string json, string path)
    {
        var e = Assert.Throws<SigstoreFormatException>(() => TrustedRoot.Parse(json));

        Assert.Equal(SigstoreDocument.TrustedRoot, e.Document);
        Assert.Equal(path, e.JsonPath);
    }

    [FixtureFact]
    public void Parse_PublicGoodSigningConfig_SelectsCurrentServices()
    {
        var config = SigningConfig.Parse(File.ReadAllBytes(TestPaths.Fixture("sigstore", "trusted-roots", "public-good.signing_config.v0.2.json")));
        var now = DateTimeOffset.Parse("2026-11-28T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal("https://fulcio.sigstore.dev", SigningConfig.Select(config.CertificateAuthorityUrls, now, 1)!.Url);
        Assert.Equal("https://rekor.sigstore.dev", SigningConfig.Select(config.TransparencyLogUrls, now, 1)!.Url);
        Assert.Equal("https://timestamp.sigstore.dev/api/v1/timestamp", SigningConfig.Select(config.TimestampAuthorityUrls, now, 1)!.Url);
        Assert.Null(SigningConfig.Select(config.TransparencyLogUrls, now, 2));
        Assert.Equal(ServiceSelector.Any, config.TransparencyLogSelector);
    }
}
