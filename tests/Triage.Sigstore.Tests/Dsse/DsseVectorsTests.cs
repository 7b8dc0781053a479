using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Org.BouncyCastle.Crypto.Parameters;
using Triage.Sigstore.Crypto;
using Triage.Sigstore.Dsse;
using Triage.Testing;

namespace Triage.Sigstore.Tests.Dsse;

/// <summary>The DSSE protocol's test vectors (Ed25519 and P-256) and PAE encoding.</summary>
public sealed class DsseVectorsTests
{
    public static TheoryData<string> VectorIds()
    {
        var data = new TheoryData<string>();
        if (!TestPaths.SharedFixturesPresent)
        {
            data.Add("(shared fixtures missing)");
            return data;
        }
        using var doc = JsonDocument.Parse(File.ReadAllBytes(TestPaths.Fixture("sigstore", "dsse", "vectors.json")));
        foreach (var v in doc.RootElement.GetProperty("vectors").EnumerateArray()) data.Add(v.GetProperty("id").GetString()!);
        return data;
    }

    [FixtureTheory]
    [MemberData(nameof(VectorIds))]
    public void Verify_DsseVector_GivesExpectedDecisionAndPae(string id)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(TestPaths.Fixture("sigstore", "dsse", "vectors.json")));
        var keys = doc.RootElement.GetProperty("keys").EnumerateObject().ToDictionary(
            k => k.Name,
            k => VerificationKey.FromEd25519(Convert.FromHexString(k.Value.GetProperty("public").GetString()!)));
        var vector = doc.RootElement.GetProperty("vectors").EnumerateArray().Single(v => v.GetProperty("id").GetString() == id);
        var envelope = DsseEnvelope.Parse(vector.GetProperty("envelope").GetRawText());

        var accepted = DsseVerifier.Verify(
            envelope,
            vector.GetProperty("trustedKeys").EnumerateArray().Select(k => keys[k.GetString()!]).ToList(),
            vector.GetProperty("threshold").GetInt32(),
            vector.GetProperty("supportedPayloadTypes").EnumerateArray().Select(t => t.GetString()!).ToList());

        var expectAccept = vector.GetProperty("expect").GetString() == "accept";
        Assert.Equal(expectAccept, accepted);
        // A vector's "pae" is what was signed; for an accepted envelope that is exactly our encoding of it.
        if (expectAccept) Assert.Equal(vector.GetProperty("pae").GetString(), Convert.ToHexStringLower(envelope.PreAuthenticationEncoding()));
    }

    [FixtureFact]
    public void Ed25519Keys_FromRfc8032Seeds_MatchTheVectorPublicKeys()
    {
        // Guards the key table itself: the vectors' public keys are the RFC 8032 keys of the listed seeds.
        using var doc = JsonDocument.Parse(File.ReadAllBytes(TestPaths.Fixture("sigstore", "dsse", "vectors.json")));
        foreach (var key in doc.RootElement.GetProperty("keys").EnumerateObject())
        {
            var seed = Convert.FromHexString(key.Value.GetProperty("seed").GetString()!);
            var derived = new Ed25519PrivateKeyParameters(seed).GeneratePublicKey().GetEncoded();
            Assert.Equal(key.Value.GetProperty("public").GetString(), Convert.ToHexStringLower(derived));
        }
    }

    [FixtureFact]
    public void Verify_ProtocolVectorP256_AcceptsRawAndDerSignatures()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(TestPaths.Fixture("sigstore", "dsse", "dsse-protocol-test-vector.json")));
        var root = doc.RootElement;
        using var key = VerificationKey.FromPem(root.GetProperty("publicKey").GetProperty("spkiPem").GetString()!);
        var envelope = DsseEnvelope.Parse(root.GetProperty("envelope").GetRawText());
        var der = envelope with { Signatures = [new DsseSignature(Convert.FromBase64String(root.GetProperty("sigDerBase64").GetString()!))] };
        string[] types = ["http://example.com/HelloWorld"];

        Assert.Equal(root.GetProperty("paeUtf8").GetString(), Encoding.UTF8.GetString(envelope.PreAuthenticationEncoding()));
        Assert.True(DsseVerifier.Verify(envelope, [key], 1, types, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        Assert.True(DsseVerifier.Verify(der, [key], 1, types));
        Assert.False(DsseVerifier.Verify(envelope, [key], 1, types), "a raw r||s signature is not DER");
    }

    [Theory]
    [InlineData("http://example.com/HelloWorld", "hello world", "DSSEv1 29 http://example.com/HelloWorld 11 hello world")]
    [InlineData("application/vnd.in-toto+json", "", "DSSEv1 28 application/vnd.in-toto+json 0 ")]
    [InlineData("application/vnd.exämple+json", "x", "DSSEv1 29 application/vnd.exämple+json 1 x")]
    public void Encode_Pae_CountsUtf8Bytes(string type, string payload, string expected)
    {
        Assert.Equal(expected, Encoding.UTF8.GetString(Pae.Encode(type, Encoding.UTF8.GetBytes(payload))));
    }
}
