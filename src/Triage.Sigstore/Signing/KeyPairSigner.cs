using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Triage.Sigstore.Crypto;

namespace Triage.Sigstore.Signing;

/// <summary>
/// An ECDSA P-256 signing key: the self-managed key of keyed (offline) signing, or the ephemeral key of a keyless
/// signing. Signatures are ASN.1 DER over SHA-256, as every Sigstore client writes them.
/// </summary>
public sealed class KeyPairSigner : IDisposable
{
    private const string P256Oid = "1.2.840.10045.3.1.7";
    private readonly ECDsa _key;

    private KeyPairSigner(ECDsa key)
    {
        _key = key;
        PublicKeySpki = key.ExportSubjectPublicKeyInfo();
    }

    /// <summary>DER SubjectPublicKeyInfo of the public key.</summary>
    public byte[] PublicKeySpki { get; }

    /// <summary>base64(SHA-256(SPKI DER)): what keyed bundles carry as <c>publicKey.hint</c>.</summary>
    public string KeyHint => Convert.ToBase64String(SHA256.HashData(PublicKeySpki));

    public static KeyPairSigner Generate() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>
    /// Loads a P-256 private key from PEM: PKCS#8 (<c>PRIVATE KEY</c>), SEC1 (<c>EC PRIVATE KEY</c>), or encrypted PKCS#8
    /// (<c>ENCRYPTED PRIVATE KEY</c>, with <paramref name="password"/>). Throws <see cref="SigstoreFormatException"/>.
    /// </summary>
    public static KeyPairSigner FromPem(string pem, string? password = null)
    {
        if (pem.Contains("ENCRYPTED SIGSTORE PRIVATE KEY", StringComparison.Ordinal))
            throw new SigstoreFormatException(SigstoreDocument.PrivateKey, null,
                "cosign's encrypted key format is not supported; export the key as PKCS#8 PEM (e.g. with openssl)");
        var key = ECDsa.Create();
        try
        {
            if (pem.Contains("ENCRYPTED PRIVATE KEY", StringComparison.Ordinal))
            {
                if (password is null) throw new SigstoreFormatException(SigstoreDocument.PrivateKey, null, "the key is encrypted; a password is needed");
                key.ImportFromEncryptedPem(pem, password);
            }
            else
            {
                key.ImportFromPem(pem);
            }
            if (key.ExportParameters(false).Curve.Oid.Value != P256Oid)
                throw new SigstoreFormatException(SigstoreDocument.PrivateKey, null, "only ECDSA P-256 keys are supported for signing");
            return new KeyPairSigner(key);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            key.Dispose();
            throw new SigstoreFormatException(SigstoreDocument.PrivateKey, null, $"not an ECDSA private key in PEM ({e.Message})", e);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    public static KeyPairSigner FromPemFile(string path, string? password = null) => FromPem(File.ReadAllText(path), password);

    /// <summary>The public key as PEM (<c>PUBLIC KEY</c>), for <c>cosign verify-blob --key</c> and <c>triage sigstore verify --key</c>.</summary>
    public string ExportPublicKeyPem() => PemEncoding.WriteString("PUBLIC KEY", PublicKeySpki) + "\n";

    /// <summary>The private key as unencrypted PKCS#8 PEM. Protect the result.</summary>
    public string ExportPrivateKeyPem() => PemEncoding.WriteString("PRIVATE KEY", _key.ExportPkcs8PrivateKey()) + "\n";

    public VerificationKey GetVerificationKey() => VerificationKey.FromSubjectPublicKeyInfo(PublicKeySpki);

    /// <summary>Signs data: SHA-256, then ECDSA, DER-encoded.</summary>
    public byte[] Sign(ReadOnlySpan<byte> data) => _key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

    /// <summary>Signs a SHA-256 digest computed elsewhere (a streamed artifact).</summary>
    public byte[] SignSha256Digest(ReadOnlySpan<byte> digest) =>
        digest.Length == 32 ? _key.SignHash(digest, DSASignatureFormat.Rfc3279DerSequence) : throw new ArgumentException("not a SHA-256 digest", nameof(digest));

    /// <summary>
    /// A PKCS#10 request for Fulcio: empty subject (Fulcio takes the identity from the token) and CA:false, signed
    /// with this key to prove possession.
    /// </summary>
    public byte[] CreateCertificateSigningRequest()
    {
        var request = new CertificateRequest(new X500DistinguishedName(""), _key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        return request.CreateSigningRequest();
    }

    public void Dispose() => _key.Dispose();
}
