using System.Security.Cryptography;
using Triage.Sigstore.Crypto;
using Triage.Sigstore.Signing;

namespace Triage.Sigstore.Tests.Signing;

/// <summary>Loading, generating and exporting signing keys in the PEM forms other tools write.</summary>
public sealed class KeyPairSignerTests
{
    private static readonly byte[] Data = "data"u8.ToArray();

    [Fact]
    public void FromPem_Pkcs8AsPythonCryptographyWritesIt_SignsVerifiably()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var key = KeyPairSigner.FromPem(ecdsa.ExportPkcs8PrivateKeyPem());

        Assert.Equal(ecdsa.ExportSubjectPublicKeyInfo(), key.PublicKeySpki);
        Assert.True(ecdsa.VerifyData(Data, key.Sign(Data), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
    }

    [Fact]
    public void FromPem_Sec1EcPrivateKey_Loads()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = ecdsa.ExportECPrivateKeyPem();
        Assert.Contains("BEGIN EC PRIVATE KEY", pem, StringComparison.Ordinal);

        using var key = KeyPairSigner.FromPem(pem);

        Assert.Equal(ecdsa.ExportSubjectPublicKeyInfo(), key.PublicKeySpki);
    }

    [Fact]
    public void FromPem_EncryptedPkcs8_NeedsThePassword()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = ecdsa.ExportEncryptedPkcs8PrivateKeyPem("secret", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 10_000));

        using var key = KeyPairSigner.FromPem(pem, "secret");
        Assert.Equal(ecdsa.ExportSubjectPublicKeyInfo(), key.PublicKeySpki);
        Assert.Throws<SigstoreFormatException>(() => KeyPairSigner.FromPem(pem));
        Assert.Throws<SigstoreFormatException>(() => KeyPairSigner.FromPem(pem, "wrong"));
    }

    [Fact]
    public void FromPem_OtherCurve_IsRejectedWithReason()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        var e = Assert.Throws<SigstoreFormatException>(() => KeyPairSigner.FromPem(ecdsa.ExportPkcs8PrivateKeyPem()));

        Assert.Equal(SigstoreDocument.PrivateKey, e.Document);
        Assert.Contains("P-256", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not a key")]
    [InlineData("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n")]
    public void FromPem_Unreadable_ThrowsFormatException(string pem)
    {
        Assert.Throws<SigstoreFormatException>(() => KeyPairSigner.FromPem(pem));
    }

    [Fact]
    public void Generate_ExportsLoadableKeysAndRfc6962Hint()
    {
        using var key = KeyPairSigner.Generate();

        using var again = KeyPairSigner.FromPem(key.ExportPrivateKeyPem());
        using var publicKey = VerificationKey.FromPem(key.ExportPublicKeyPem());

        Assert.Equal(key.PublicKeySpki, again.PublicKeySpki);
        Assert.Equal(key.PublicKeySpki, publicKey.SubjectPublicKeyInfo);
        Assert.Equal(Convert.ToBase64String(SHA256.HashData(key.PublicKeySpki)), key.KeyHint);
        Assert.True(publicKey.VerifyData(Data, again.Sign(Data)));
    }
}
