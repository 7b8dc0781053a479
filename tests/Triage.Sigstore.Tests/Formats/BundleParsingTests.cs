using System.Text.Json.Nodes;
using Triage.Sigstore.Bundles;
using Triage.Sigstore.Trust;
using Triage.Sigstore.Verification;
using Triage.Testing;

namespace Triage.Sigstore.Tests.Formats;

/// <summary>Bundle JSON in every version and spelling parses; structural errors are typed and name the field.</summary>
public sealed class BundleParsingTests
{
    private static string Read(string path) => File.ReadAllText(TestPaths.Fixture("sigstore", path));

    [FixtureTheory]
    [InlineData("conformance/happy-path-v0.1/bundle.sigstore.json", BundleVersion.V0_1, SigningMaterialKind.CertificateChain)]
    [InlineData("conformance/happy-path-v0.2/bundle.sigstore.json", BundleVersion.V0_2, SigningMaterialKind.CertificateChain)]
    [InlineData("conformance/happy-path-v0.3/bundle.sigstore.json", BundleVersion.V0_3, SigningMaterialKind.Certificate)]
    [InlineData("conformance/happy-path-v0.3-new-mediaType/bundle.sigstore.json", BundleVersion.V0_3, SigningMaterialKind.Certificate)]
    [InlineData("conformance/managed-key-happy-path/bundle.sigstore.json", BundleVersion.V0_3, SigningMaterialKind.PublicKey)]
    [InlineData("sigstore-python/bundle_v3.txt.sigstore", BundleVersion.V0_3, SigningMaterialKind.Certificate)]
    public void Parse_FixtureBundle_ReadsVersionAndMaterial(string path, BundleVersion version, SigningMaterialKind kind)
    {
        var bundle = SigstoreBundle.Parse(Read(path));

        Assert.Equal(version, bundle.Version);
        Assert.Equal(kind, bundle.VerificationMaterial.Kind);
        // Written back and read again, it says the same: nothing signed is lost in our own serialization.
        Assert.Equal(bundle.ToJson(), SigstoreBundle.Parse(bundle.ToJson()).ToJson());
        Assert.Equal(bundle.VerificationMaterial.TlogEntries[0].CanonicalizedBody, SigstoreBundle.Parse(bundle.ToJson()).VerificationMaterial.TlogEntries[0].CanonicalizedBody);
    }

    [FixtureFact]
    public void Parse_RekorV2Entry_HasNoIntegratedTime()
    {
        var entry = SigstoreBundle.Parse(Read("conformance/rekor2-happy-path/bundle.sigstore.json")).VerificationMaterial.TlogEntries[0];

        Assert.Null(entry.IntegratedTime);
        Assert.Null(entry.SignedEntryTimestamp);
        Assert.Equal(("hashedrekord", "0.0.2"), (entry.Kind, entry.KindVersion));
    }

    public static TheoryData<string, string?, string> Malformed => new()
    {
        { "not json", null, "not valid JSON" },
        { "[]", null, "expected an object" },
        { "{}", "mediaType", "required field is missing" },
        { """{"mediaType":"application/vnd.dev.sigstore.bundle+json;version=99.9"}""", "mediaType", "unsupported bundle media type" },
        { """{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{"hint":"x"}}}""", null, "exactly one of messageSignature and dsseEnvelope" },
        { """{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{},"messageSignature":{"signature":"AA=="}}""", "verificationMaterial", "exactly one of publicKey" },
        { """{"mediaType":"application/vnd.dev.sigstore.bundle+json;version=0.1","verificationMaterial":{"x509CertificateChain":{"certificates":[]}},"messageSignature":{"signature":"AA=="}}""", "verificationMaterial.x509CertificateChain.certificates", "empty" },
        { """{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"x509CertificateChain":{"certificates":[{"rawBytes":"AA=="}]}},"messageSignature":{"signature":"AA=="}}""", "verificationMaterial.x509CertificateChain", "v0.3 bundles carry the leaf" },
        { """{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{},"tlogEntries":[{"logIndex":"-1","logId":{"keyId":"AA=="},"kindVersion":{"kind":"hashedrekord","version":"0.0.1"},"canonicalizedBody":"AA=="}]},"messageSignature":{"signature":"AA=="}}""", "verificationMaterial.tlogEntries[0].logIndex", "negative" },
        { """{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{},"tlogEntries":[{"logIndex":"twelve","logId":{"keyId":"AA=="},"kindVersion":{"kind":"hashedrekord","version":"0.0.1"},"canonicalizedBody":"AA=="}]},"messageSignature":{"signature":"AA=="}}""", "verificationMaterial.tlogEntries[0].logIndex", "int64" },
        { """{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"certificate":{"rawBytes":"%%%"}},"messageSignature":{"signature":"AA=="}}""", "verificationMaterial.certificate.rawBytes", "base64" },
        { """{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{}},"dsseEnvelope":{"payload":"AA==","payloadType":"t","signatures":[]}}""", "dsseEnvelope.signatures", "exactly one signature" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Parse_MalformedBundle_ThrowsTypedErrorNamingTheField(string json, string? path, string problem)
    {
        var e = Assert.Throws<SigstoreFormatException>(() => SigstoreBundle.Parse(json));

        Assert.Equal(SigstoreDocument.Bundle, e.Document);
        Assert.Equal(path, e.JsonPath);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Verify_MalformedBundle_IsABundleFormatFailureNotAnException(string json, string? path, string problem)
    {
        _ = path;
        var result = new BundleVerifier(TrustedRoot.PublicGood).Verify(json, null, new VerificationPolicy());

        Assert.Equal(FailureCode.BundleFormat, result.FailureCode);
        Assert.Equal("bundle_format", result.Code);
        Assert.Contains(problem, result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ProtoJsonVariants_AcceptsNumbersUrlSafeBase64AndNulls()
    {
        var json = new JsonObject
        {
            ["mediaType"] = BundleMediaTypes.V0_3Legacy,
            ["verificationMaterial"] = new JsonObject
            {
                ["publicKey"] = new JsonObject { ["hint"] = "h" },
                ["x509CertificateChain"] = null,
                ["tlogEntries"] = new JsonArray(new JsonObject
                {
                    ["logIndex"] = 7,
                    ["logId"] = new JsonObject { ["keyId"] = "-_8" },
                    ["kindVersion"] = new JsonObject { ["kind"] = "hashedrekord", ["version"] = "0.0.1" },
                    ["integratedTime"] = "0",
                    ["canonicalizedBody"] = "e30=",
                }),
            },
            ["messageSignature"] = new JsonObject { ["signature"] = "AQI" },
        };

        var bundle = SigstoreBundle.Parse(json.ToJsonString());

        var entry = bundle.VerificationMaterial.TlogEntries[0];
        Assert.Equal(7, entry.LogIndex);
        Assert.Equal(new byte[] { 0xfb, 0xff }, entry.LogId);
        Assert.Null(entry.IntegratedTime);
        Assert.Equal(new byte[] { 1, 2 }, bundle.MessageSignature!.Signature);
        Assert.Equal(BundleVersion.V0_3, bundle.Version);
    }
}
