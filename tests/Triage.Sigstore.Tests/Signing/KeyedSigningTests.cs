using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Triage.Sigstore.Bundles;
using Triage.Sigstore.InToto;
using Triage.Sigstore.Signing;
using Triage.Sigstore.Tests.Support;
using Triage.Sigstore.Trust;
using Triage.Sigstore.Verification;

namespace Triage.Sigstore.Tests.Signing;

/// <summary>Offline signing with a self-managed key, verified by our verifier, and what tampering does to it.</summary>
public sealed class KeyedSigningTests : IDisposable
{
    private readonly KeyPairSigner _key = KeyPairSigner.Generate();
    private readonly BundleVerifier _verifier = new(TrustedRoot.PublicGood);

    public void Dispose() => _key.Dispose();

    private VerificationPolicy KeyPolicy(KeyPairSigner? key = null) => VerificationPolicy.ForKey((key ?? _key).GetVerificationKey());

    [Fact]
    public async Task SignInToto_Offline_WritesKeyedDsseBundleV03()
    {
        var bundle = await new SigstoreSigner().SignInTotoAsync(Fixtures.OpenVexStatement(), _key);

        var json = JsonNode.Parse(bundle.ToJson())!;
        Assert.Equal("application/vnd.dev.sigstore.bundle.v0.3+json", json["mediaType"]!.GetValue<string>());
        Assert.Equal(_key.KeyHint, json["verificationMaterial"]!["publicKey"]!["hint"]!.GetValue<string>());
        Assert.Empty(json["verificationMaterial"]!["tlogEntries"]!.AsArray());
        Assert.Equal("application/vnd.in-toto+json", json["dsseEnvelope"]!["payloadType"]!.GetValue<string>());
        var statement = JsonNode.Parse(Convert.FromBase64String(json["dsseEnvelope"]!["payload"]!.GetValue<string>()))!;
        Assert.Equal("https://in-toto.io/Statement/v1", statement["_type"]!.GetValue<string>());
        Assert.Equal("https://openvex.dev/ns", statement["predicateType"]!.GetValue<string>());
        Assert.Equal("4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1", statement["subject"]![0]!["digest"]!["sha256"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Fixtures.OpenVexDocument), statement["predicate"]), "the predicate must be the document, unchanged");
    }

    [Fact]
    public async Task SignInToto_Offline_VerifiesWithKeyAgainstSubjectDigest()
    {
        var bundle = await new SigstoreSigner().SignInTotoAsync(Fixtures.OpenVexStatement(), _key);

        var result = _verifier.Verify(bundle.ToJson(), Artifact.FromDigest(Fixtures.ImageDigest),
            KeyPolicy() with { RequiredPredicateTypePrefix = "https://openvex.dev/ns" });

        Assert.True(result.Success, result.ToString());
        Assert.Equal(_key.KeyHint, result.PublicKeyHint);
        Assert.Equal("https://openvex.dev/ns", result.Statement!.PredicateType);
        Assert.Empty(result.SigningTimes);
    }

    [Fact]
    public async Task Verify_FlippedPayloadByte_FailsSignature()
    {
        var bundle = await new SigstoreSigner().SignInTotoAsync(Fixtures.OpenVexStatement(), _key);
        var payload = bundle.DsseEnvelope!.Payload.ToArray();
        payload[payload.Length / 2] ^= 0x01;
        var tampered = bundle with { DsseEnvelope = bundle.DsseEnvelope with { Payload = payload } };

        var result = _verifier.Verify(tampered.ToJson(), null, KeyPolicy());

        Assert.Equal(FailureCode.Signature, result.FailureCode);
    }

    [Fact]
    public async Task Verify_SubjectDigestChangedInSignedPayload_FailsSignature()
    {
        var bundle = await new SigstoreSigner().SignInTotoAsync(Fixtures.OpenVexStatement(), _key);
        var statement = JsonNode.Parse(bundle.DsseEnvelope!.Payload)!;
        statement["subject"]![0]!["digest"]!["sha256"] = new string('0', 64);
        var tampered = bundle with { DsseEnvelope = bundle.DsseEnvelope with { Payload = Encoding.UTF8.GetBytes(statement.ToJsonString()) } };

        var result = _verifier.Verify(tampered.ToJson(), Artifact.FromDigest("sha256:" + new string('0', 64)), KeyPolicy());

        Assert.Equal(FailureCode.Signature, result.FailureCode);
    }

    [Fact]
    public async Task Verify_ArtifactIsNotASubject_FailsArtifactDigest()
    {
        var bundle = await new SigstoreSigner().SignInTotoAsync(Fixtures.OpenVexStatement(), _key);

        var result = _verifier.Verify(bundle.ToJson(), Artifact.FromDigest("sha256:" + new string('a', 64)), KeyPolicy());

        Assert.Equal(FailureCode.ArtifactDigest, result.FailureCode);
        Assert.Equal("artifact_digest", result.Code);
    }

    [Fact]
    public async Task Verify_WrongKey_FailsSignature()
    {
        var bundle = await new SigstoreSigner().SignInTotoAsync(Fixtures.OpenVexStatement(), _key);
        using var other = KeyPairSigner.Generate();

        var result = _verifier.Verify(bundle.ToJson(), null, KeyPolicy(other));

        Assert.Equal(FailureCode.Signature, result.FailureCode);
        Assert.Contains("hint", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_PredicateTypeNotRequiredOne_FailsPredicateType()
    {
        var bundle = await new SigstoreSigner().SignInTotoAsync(Fixtures.OpenVexStatement("https://slsa.dev/provenance/v1"), _key);

        var result = _verifier.Verify(bundle.ToJson(), null, KeyPolicy() with { RequiredPredicateTypePrefix = "https://openvex.dev/ns" });

        Assert.Equal(FailureCode.PredicateType, result.FailureCode);
    }

    [Theory]
    [InlineData("https://openvex.dev/ns")]
    [InlineData("https://openvex.dev/ns/v0.2.0")]
    public async Task Verify_OpenVexPredicateTypePrefix_AcceptsVersionedTypes(string predicateType)
    {
        var bundle = await new SigstoreSigner().SignInTotoAsync(Fixtures.OpenVexStatement(predicateType), _key);

        var result = _verifier.Verify(bundle.ToJson(), null, KeyPolicy() with { RequiredPredicateTypePrefix = "https://openvex.dev/ns" });

        Assert.True(result.Success, result.ToString());
    }

    [Fact]
    public async Task Verify_ExactPredicateTypeRequired_RejectsOtherVersion()
    {
        var bundle = await new SigstoreSigner().SignInTotoAsync(Fixtures.OpenVexStatement("https://openvex.dev/ns/v0.2.0"), _key);

        var result = _verifier.Verify(bundle.ToJson(), null, KeyPolicy() with { RequiredPredicateType = "https://openvex.dev/ns" });

        Assert.Equal(FailureCode.PredicateType, result.FailureCode);
    }

    [Fact]
    public async Task Verify_KeyedBundleWithoutKey_FailsPublicKey()
    {
        var bundle = await new SigstoreSigner().SignInTotoAsync(Fixtures.OpenVexStatement(), _key);

        var result = _verifier.Verify(bundle.ToJson(), null, VerificationPolicy.ForIdentity("someone@example.com", "https://accounts.google.com"));

        Assert.Equal(FailureCode.PublicKey, result.FailureCode);
    }

    [Fact]
    public async Task SignArtifact_Offline_VerifiesAgainstBytesStreamAndDigest()
    {
        var bundle = await new SigstoreSigner().SignArtifactAsync(new MemoryStream(Fixtures.Artifact), _key);
        var json = bundle.ToJson();

        Assert.True(_verifier.Verify(json, Artifact.FromBytes(Fixtures.Artifact), KeyPolicy()).Success);
        Assert.True(_verifier.Verify(json, Artifact.FromStream(new MemoryStream(Fixtures.Artifact)), KeyPolicy()).Success);
        Assert.True(_verifier.Verify(json, Artifact.FromDigest(Fixtures.ArtifactSha256), KeyPolicy()).Success);
    }

    [Fact]
    public async Task SignArtifact_OtherArtifact_FailsArtifactDigest()
    {
        var bundle = await new SigstoreSigner().SignArtifactAsync(new MemoryStream(Fixtures.Artifact), _key);

        var result = _verifier.Verify(bundle.ToJson(), Artifact.FromBytes(Encoding.UTF8.GetBytes("something else")), KeyPolicy());

        Assert.Equal(FailureCode.ArtifactDigest, result.FailureCode);
    }

    [Fact]
    public async Task SignArtifact_NoArtifactGiven_FailsArtifactRequired()
    {
        var bundle = await new SigstoreSigner().SignArtifactAsync(new MemoryStream(Fixtures.Artifact), _key);

        var result = _verifier.Verify(bundle.ToJson(), null, KeyPolicy());

        Assert.Equal(FailureCode.ArtifactRequired, result.FailureCode);
    }

    [Fact]
    public async Task SignArtifact_TamperedSignature_FailsSignature()
    {
        var bundle = await new SigstoreSigner().SignArtifactAsync(new MemoryStream(Fixtures.Artifact), _key);
        var signature = bundle.MessageSignature!.Signature.ToArray();
        signature[^1] ^= 0x01;
        var tampered = bundle with { MessageSignature = bundle.MessageSignature with { Signature = signature } };

        var result = _verifier.Verify(tampered.ToJson(), Artifact.FromBytes(Fixtures.Artifact), KeyPolicy());

        Assert.Equal(FailureCode.Signature, result.FailureCode);
    }

    [Fact]
    public async Task ToJson_ThenParse_RoundTripsTheBundle()
    {
        var bundle = await new SigstoreSigner().SignInTotoAsync(Fixtures.OpenVexStatement(), _key);

        var again = SigstoreBundle.Parse(bundle.ToJson());

        Assert.Equal(bundle.ToJson(), again.ToJson());
        Assert.Equal(BundleVersion.V0_3, again.Version);
        Assert.Equal(SigningMaterialKind.PublicKey, again.VerificationMaterial.Kind);
    }
}
