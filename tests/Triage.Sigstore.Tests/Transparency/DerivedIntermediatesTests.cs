using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Triage.Sigstore.Bundles;
using Triage.Sigstore.Certificates;
using Triage.Sigstore.Dsse;
using Triage.Sigstore.Transparency;
using Triage.Sigstore.Trust;
using Triage.Testing;

namespace Triage.Sigstore.Tests.Transparency;

/// <summary>
/// The intermediate values of verification (SET payload, leaf hash, Merkle root, checkpoint bytes and key hints,
/// SCT signed struct, Fulcio extensions) equal the ones computed independently in derived-intermediates.json.
/// </summary>
public sealed class DerivedIntermediatesTests
{
    private static JsonElement Derived(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(TestPaths.Fixture("sigstore", "derived-intermediates.json")));
        return doc.RootElement.GetProperty(name).Clone();
    }

    private static SigstoreBundle Bundle(string path) => SigstoreBundle.Parse(File.ReadAllBytes(TestPaths.Fixture("sigstore", path)));

    private static string Str(JsonElement e, string name) => e.GetProperty(name).GetString()!;

    [FixtureFact]
    public void RekorV1Entry_SetPayloadLeafRootAndCheckpoint_MatchDerivedValues()
    {
        var d = Derived("happy-path-v0.1");
        var entry = Bundle("conformance/happy-path-v0.1/bundle.sigstore.json").VerificationMaterial.TlogEntries[0];

        var set = SignedEntryTimestamp.CanonicalPayload(entry.CanonicalizedBody, entry.IntegratedTime!.Value, entry.LogId, entry.LogIndex);
        Assert.Equal(d.GetProperty("setPayloadLength").GetInt32(), set.Length);
        Assert.Equal(Str(d, "setPayloadSha256Hex"), Convert.ToHexStringLower(SHA256.HashData(set)));
        Assert.Equal(Str(d, "logIdHex"), Convert.ToHexStringLower(entry.LogId));

        var leaf = MerkleTree.LeafHash(entry.CanonicalizedBody);
        Assert.Equal(Str(d, "rfc6962LeafHashHex (SHA256(0x00||canonicalizedBody))"), Convert.ToHexStringLower(leaf));
        var proof = entry.InclusionProof!;
        Assert.Equal(Str(d.GetProperty("inclusionProof"), "computedRootHex"), Convert.ToHexStringLower(MerkleTree.RootFromInclusionProof(proof.LogIndex, proof.TreeSize, leaf, proof.Hashes)!));

        var checkpoint = Checkpoint.TryParse(proof.Checkpoint!, out _)!;
        Assert.Equal(Str(d, "checkpointSignedNoteUtf8 (bytes signed = text before the blank line, incl. its final newline)"), Encoding.UTF8.GetString(checkpoint.SignedText));
        var signature = Assert.Single(checkpoint.Signatures);
        Assert.Equal(Str(d, "checkpointSignerName"), signature.Name);
        Assert.Equal(Str(d, "checkpointKeyHintHex (first 4 bytes of signature blob)"), Convert.ToHexStringLower(signature.KeyHint));
        Assert.Equal(Str(d, "checkpointSignatureDerBase64 (signature blob minus 4-byte key hint)"), Convert.ToBase64String(signature.Signature));
    }

    [FixtureFact]
    public void RekorV2Entry_LeafRootCheckpointAndC2spKeyId_MatchDerivedValues()
    {
        var d = Derived("rekor2-happy-path");
        var entry = Bundle("conformance/rekor2-happy-path/bundle.sigstore.json").VerificationMaterial.TlogEntries[0];
        var root = TrustedRoot.Load(TestPaths.Fixture("sigstore", "conformance", "rekor2-happy-path", "trusted_root.json"));
        var log = root.FindTransparencyLog(entry.LogId)!;

        Assert.Equal(Str(d, "canonicalizedBodyUtf8"), Encoding.UTF8.GetString(entry.CanonicalizedBody));
        var leaf = MerkleTree.LeafHash(entry.CanonicalizedBody);
        Assert.Equal(Str(d, "rfc6962LeafHashHex"), Convert.ToHexStringLower(leaf));
        var proof = entry.InclusionProof!;
        Assert.Equal(Str(d.GetProperty("inclusionProof"), "computedRootHex"), Convert.ToHexStringLower(MerkleTree.RootFromInclusionProof(proof.LogIndex, proof.TreeSize, leaf, proof.Hashes)!));

        var checkpoint = Checkpoint.TryParse(proof.Checkpoint!, out _)!;
        Assert.Equal(Str(d, "checkpointSignedNoteUtf8"), Encoding.UTF8.GetString(checkpoint.SignedText));
        Assert.Equal(Str(d, "checkpointSignerName (== host of tlog baseUrl)"), log.Host);
        using var key = log.TryLoadKey(out _)!;
        var keyId = SHA256.HashData([.. Encoding.UTF8.GetBytes(log.Host), 0x0A, 0x01, .. key.Ed25519RawKey!]);
        Assert.Equal(Str(d, "logIdHex (SHA256(name||0x0A||0x01||ed25519 raw pubkey))"), Convert.ToHexStringLower(keyId));
        Assert.Equal(Str(d, "checkpointKeyHintHex"), Convert.ToHexStringLower(checkpoint.Signatures[0].KeyHint));
        Assert.Equal(d.GetProperty("ed25519SignatureLength").GetInt32(), checkpoint.Signatures[0].Signature.Length);
        Assert.True(key.VerifyData(checkpoint.SignedText, checkpoint.Signatures[0].Signature));
    }

    [FixtureFact]
    public void DsseBundle_PaeAndPayloadHash_MatchDerivedValues()
    {
        var d = Derived("happy-path-intoto-in-dsse-v3");
        var envelope = Bundle("conformance/happy-path-intoto-in-dsse-v3/bundle.sigstore.json").DsseEnvelope!;

        var pae = envelope.PreAuthenticationEncoding();

        Assert.Equal(DsseEnvelope.InTotoPayloadType, envelope.PayloadType);
        Assert.Equal(d.GetProperty("payloadLength").GetInt32(), envelope.Payload.Length);
        Assert.StartsWith(Str(d, "paePrefixUtf8"), Encoding.UTF8.GetString(pae), StringComparison.Ordinal);
        Assert.Equal(Str(d, "paeSha256Hex"), Convert.ToHexStringLower(SHA256.HashData(pae)));
        Assert.Equal(Str(d, "payloadSha256Hex (== rekor dsse body spec.payloadHash.value)"), Convert.ToHexStringLower(SHA256.HashData(envelope.Payload)));
    }

    [FixtureFact]
    public void FulcioLeaf_SctSignedStructAndTbs_MatchDerivedValues()
    {
        var d = Derived("happy-path-v0.3 (SCT + Fulcio extensions)");
        using var leaf = X509CertificateLoader.LoadCertificate(Bundle("conformance/happy-path-v0.3/bundle.sigstore.json").VerificationMaterial.Certificates[0]);
        var issuer = TrustedRoot.PublicGood.CertificateAuthorities.SelectMany(a => a.CertChain).First(c => c.Subject == leaf.Issuer);

        var tbs = CertificateDer.GetTbsWithoutExtension(leaf.RawData, FulcioOids.SignedCertificateTimestampList);
        Assert.Equal(d.GetProperty("tbsPrecertificateLength (TBSCertificate with the SCT-list extension 1.3.6.1.4.1.11129.2.4.2 removed)").GetInt32(), tbs.Length);
        Assert.Equal(Str(d, "tbsPrecertificateSha256Hex"), Convert.ToHexStringLower(SHA256.HashData(tbs)));
        var issuerKeyHash = SHA256.HashData(CertificateDer.GetSubjectPublicKeyInfo(issuer.RawData));
        Assert.Equal(Str(d, "issuerKeyHashHex (SHA256 of issuer SubjectPublicKeyInfo DER)"), Convert.ToHexStringLower(issuerKeyHash));

        var sct = Assert.Single(SctVerifier.ParseList(new AsnReader(leaf.Extensions[FulcioOids.SignedCertificateTimestampList]!.RawData, AsnEncodingRules.DER).ReadOctetString()));
        Assert.Equal(Str(d, "sctLogIdHex"), Convert.ToHexStringLower(sct.LogId));
        Assert.Equal(d.GetProperty("sctTimestampMs").GetUInt64(), sct.TimestampMs);
        var signed = SctVerifier.SignedData(sct, issuerKeyHash, tbs);
        Assert.Equal(d.GetProperty("digitallySignedLength").GetInt32(), signed.Length);
        Assert.Equal(Str(d, "digitallySignedSha256Hex"), Convert.ToHexStringLower(SHA256.HashData(signed)));
        Assert.Equal(1, SctVerifier.CountVerified(leaf, issuer, TrustedRoot.PublicGood.CertificateTransparencyLogs, out _));
    }

    [FixtureFact]
    public void FulcioLeaf_Extensions_DecodeRawAndUtf8StringForms()
    {
        using var leaf = X509CertificateLoader.LoadCertificate(Bundle("conformance/happy-path-v0.3/bundle.sigstore.json").VerificationMaterial.Certificates[0]);

        var identity = SignerIdentity.FromCertificate(leaf);

        Assert.Equal("https://token.actions.githubusercontent.com", identity.Issuer);
        Assert.Equal(identity.Get(FulcioOids.IssuerV1), identity.Get(FulcioOids.Issuer));
        Assert.Equal("github-hosted", identity.Get(FulcioOids.RunnerEnvironment));
        Assert.Equal("refs/heads/main", identity.Get(FulcioOids.SourceRepositoryRef));
        Assert.Equal("https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon", identity.Get(FulcioOids.SourceRepositoryUri));
        var san = Assert.Single(identity.SubjectAlternativeNames);
        Assert.Equal(SanKind.Uri, san.Kind);
    }

    [FixtureFact]
    public void PrivateDeploymentLeaf_OtherNameSan_IsRead()
    {
        var bundle = Bundle("sigstore-go/othername.sigstore.json");
        using var leaf = X509CertificateLoader.LoadCertificate(bundle.VerificationMaterial.Certificates[0]);

        var san = Assert.Single(SignerIdentity.FromCertificate(leaf).SubjectAlternativeNames);

        Assert.Equal(new SubjectAlternativeName(SanKind.OtherName, "foo!oidc.local"), san);
    }
}
