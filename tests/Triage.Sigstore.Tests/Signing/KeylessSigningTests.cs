using System.Text.Json.Nodes;
using Triage.Sigstore.Signing;
using Triage.Sigstore.Tests.Support;
using Triage.Sigstore.Trust;
using Triage.Sigstore.Verification;

namespace Triage.Sigstore.Tests.Signing;

/// <summary>
/// The whole keyless flow over loopback HTTP against a fake private deployment (CA with OIDC issuer extension and
/// embedded SCT, log with SET, inclusion proof and checkpoint, TSA), verified by our own verifier.
/// </summary>
public sealed class KeylessSigningTests : IDisposable
{
    private const string Email = "signer@triage.test";
    private const string Issuer = "https://oidc.triage.test";

    private readonly FakeSigstoreServer _server = new();
    private readonly HttpClient _http = new();

    public void Dispose()
    {
        _http.Dispose();
        _server.Dispose();
    }

    private SigstoreSigner Signer(bool log = true, bool tsa = true) => new(new SigningServices
    {
        CertificateAuthority = new HttpFulcioClient(_http, _server.BaseUri),
        TransparencyLog = log ? new HttpRekorClient(_http, _server.BaseUri) : null,
        TimestampAuthority = tsa ? new HttpTimestampAuthority(_http, _server.TimestampUrl) : null,
    });

    private BundleVerifier Verifier() => new(TrustedRoot.Parse(_server.TrustedRootJson()));

    [Fact]
    public async Task SignInTotoKeyless_FakeDeployment_VerifiesWithOwnVerifier()
    {
        var bundle = await Signer().SignInTotoKeylessAsync(Fixtures.OpenVexStatement(), FakeSigstoreServer.IdentityToken(Email, Issuer));

        var result = Verifier().Verify(bundle.ToJson(), Artifact.FromDigest(Fixtures.ImageDigest),
            VerificationPolicy.ForIdentity(Email, Issuer) with { RequiredPredicateTypePrefix = "https://openvex.dev/ns" });

        Assert.True(result.Success, result.ToString());
        Assert.Equal(Email, result.Signer!.PrimaryName);
        Assert.Equal(Issuer, result.Signer.Issuer);
        Assert.Equal([SigningTimeSource.TransparencyLog, SigningTimeSource.TimestampAuthority], result.SigningTimes.Select(t => t.Source));
        var entry = Assert.Single(result.LogEntries);
        Assert.Equal(_server.BaseUrl, entry.LogUrl);
        Assert.Equal(["/api/v2/signingCert", "/api/v1/timestamp", "/api/v1/log/entries"], _server.Requests);
        Assert.Equal("dsse", bundle.VerificationMaterial.TlogEntries[0].Kind);
    }

    [Fact]
    public async Task SignKeyless_ServicesFromSigningConfig_UsesTheConfiguredEndpoints()
    {
        var config = SigningConfig.Parse($$$"""
            {"mediaType":"application/vnd.dev.sigstore.signingconfig.v0.2+json",
             "caUrls":[{"url":"{{{_server.BaseUrl}}}","majorApiVersion":1,"validFor":{"start":"2020-01-01T00:00:00Z"}}],
             "rekorTlogUrls":[{"url":"https://retired.invalid","majorApiVersion":1,"validFor":{"start":"2019-01-01T00:00:00Z","end":"2020-01-01T00:00:00Z"}},
                              {"url":"{{{_server.BaseUrl}}}","majorApiVersion":1,"validFor":{"start":"2020-01-01T00:00:00Z"}}],
             "tsaUrls":[{"url":"{{{_server.TimestampUrl}}}","majorApiVersion":1,"validFor":{"start":"2020-01-01T00:00:00Z"}}],
             "rekorTlogConfig":{"selector":"ANY"},"tsaConfig":{"selector":"ANY"}}
            """);
        var signer = new SigstoreSigner(SigningServices.FromSigningConfig(config, _http));

        var bundle = await signer.SignInTotoKeylessAsync(Fixtures.OpenVexStatement(), FakeSigstoreServer.IdentityToken(Email, Issuer));

        Assert.True(Verifier().Verify(bundle.ToJson(), null, VerificationPolicy.ForIdentity(Email, Issuer)).Success);
        Assert.Equal(["/api/v2/signingCert", "/api/v1/timestamp", "/api/v1/log/entries"], _server.Requests);
    }

    [Fact]
    public async Task SignArtifactKeyless_FakeDeployment_VerifiesAsHashedRekord()
    {
        var bundle = await Signer().SignArtifactKeylessAsync(new MemoryStream(Fixtures.Artifact), FakeSigstoreServer.IdentityToken(Email, Issuer));

        var result = Verifier().Verify(bundle.ToJson(), Artifact.FromBytes(Fixtures.Artifact), VerificationPolicy.ForIdentity(Email, Issuer));

        Assert.True(result.Success, result.ToString());
        Assert.Equal("hashedrekord", bundle.VerificationMaterial.TlogEntries[0].Kind);
    }

    [Fact]
    public async Task SignKeyless_TsaOnly_VerifiesWithTimestampAsSigningTime()
    {
        var bundle = await Signer(log: false).SignInTotoKeylessAsync(Fixtures.OpenVexStatement(), FakeSigstoreServer.IdentityToken(Email, Issuer));

        var result = Verifier().Verify(bundle.ToJson(), null, VerificationPolicy.ForIdentity(Email, Issuer) with { TransparencyLogThreshold = 0 });

        Assert.True(result.Success, result.ToString());
        Assert.Equal(SigningTimeSource.TimestampAuthority, Assert.Single(result.SigningTimes).Source);
    }

    [Fact]
    public async Task VerifyKeyless_OtherIdentityOrIssuer_FailsIdentity()
    {
        var json = (await Signer().SignInTotoKeylessAsync(Fixtures.OpenVexStatement(), FakeSigstoreServer.IdentityToken(Email, Issuer))).ToJson();

        Assert.Equal(FailureCode.Identity, Verifier().Verify(json, null, VerificationPolicy.ForIdentity("mallory@triage.test", Issuer)).FailureCode);
        Assert.Equal(FailureCode.Identity, Verifier().Verify(json, null, VerificationPolicy.ForIdentity(Email, "https://accounts.google.com")).FailureCode);
        Assert.True(Verifier().Verify(json, null, VerificationPolicy.ForIdentityPattern(@".*@triage\.test", Issuer)).Success);
        Assert.Equal(FailureCode.Identity, Verifier().Verify(json, null, VerificationPolicy.ForIdentityPattern("signer", Issuer)).FailureCode);
    }

    [Fact]
    public async Task VerifyKeyless_TrustedRootWithoutTheCa_FailsCertificateChain()
    {
        var json = (await Signer().SignInTotoKeylessAsync(Fixtures.OpenVexStatement(), FakeSigstoreServer.IdentityToken(Email, Issuer))).ToJson();
        var root = JsonNode.Parse(_server.TrustedRootJson())!;
        root["certificateAuthorities"] = new JsonArray();

        var result = new BundleVerifier(TrustedRoot.Parse(root.ToJsonString())).Verify(json, null, VerificationPolicy.ForIdentity(Email, Issuer));

        Assert.Equal(FailureCode.CertificateChain, result.FailureCode);
    }

    [Fact]
    public async Task VerifyKeyless_TrustedRootWithoutTheCtLog_FailsSct()
    {
        var json = (await Signer().SignInTotoKeylessAsync(Fixtures.OpenVexStatement(), FakeSigstoreServer.IdentityToken(Email, Issuer))).ToJson();
        var root = JsonNode.Parse(_server.TrustedRootJson())!;
        root["ctlogs"] = new JsonArray();

        var result = new BundleVerifier(TrustedRoot.Parse(root.ToJsonString())).Verify(json, null, VerificationPolicy.ForIdentity(Email, Issuer));

        Assert.Equal(FailureCode.Sct, result.FailureCode);
    }

    [Fact]
    public async Task VerifyKeyless_PublicGoodRoot_DoesNotTrustThePrivateDeployment()
    {
        var json = (await Signer().SignInTotoKeylessAsync(Fixtures.OpenVexStatement(), FakeSigstoreServer.IdentityToken(Email, Issuer))).ToJson();

        var result = new BundleVerifier(TrustedRoot.PublicGood).Verify(json, null, VerificationPolicy.ForIdentity(Email, Issuer));

        Assert.False(result.Success);
        Assert.Equal(FailureCode.Timestamp, result.FailureCode);
    }

    [Fact]
    public async Task SignKeyless_WithoutLogOrTimestampAuthority_IsRefused()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Signer(log: false, tsa: false).SignInTotoKeylessAsync(Fixtures.OpenVexStatement(), FakeSigstoreServer.IdentityToken(Email, Issuer)));
    }

    [Fact]
    public async Task SignInToto_KeyedOnline_LogsPublicKeyAndVerifies()
    {
        using var key = KeyPairSigner.Generate();
        var bundle = await Signer().SignInTotoAsync(Fixtures.OpenVexStatement(), key);

        var result = Verifier().Verify(bundle.ToJson(), null, VerificationPolicy.ForKey(key.GetVerificationKey()) with { TransparencyLogThreshold = 1 });

        Assert.True(result.Success, result.ToString());
        Assert.Equal(2, result.SigningTimes.Count);
        Assert.Single(result.LogEntries);
    }

    [Fact]
    public async Task VerifyKeyed_SignedOutsideKeyValidity_FailsPublicKey()
    {
        using var key = KeyPairSigner.Generate();
        var bundle = await Signer().SignArtifactAsync(new MemoryStream(Fixtures.Artifact), key);
        var retired = new ValidityPeriod(null, DateTimeOffset.UtcNow.AddDays(-1));

        var result = Verifier().Verify(bundle.ToJson(), Artifact.FromBytes(Fixtures.Artifact),
            VerificationPolicy.ForKey(key.GetVerificationKey()) with { PublicKeyValidFor = retired });

        Assert.Equal(FailureCode.PublicKey, result.FailureCode);
    }

    [Fact]
    public async Task VerifyKeyless_LogEntryOfAnotherSigning_FailsBodyMismatch()
    {
        var token = FakeSigstoreServer.IdentityToken(Email, Issuer);
        var first = await Signer().SignArtifactKeylessAsync(new MemoryStream(Fixtures.Artifact), token);
        var second = await Signer().SignArtifactKeylessAsync(new MemoryStream(Fixtures.Artifact), token);
        // CVE-2022-36056: a genuine, verifiable entry — but for another signature.
        var spliced = second with { VerificationMaterial = second.VerificationMaterial with { TlogEntries = first.VerificationMaterial.TlogEntries } };

        var result = Verifier().Verify(spliced.ToJson(), Artifact.FromBytes(Fixtures.Artifact), VerificationPolicy.ForIdentity(Email, Issuer));

        Assert.Equal(FailureCode.TlogBodyMismatch, result.FailureCode);
    }
}
