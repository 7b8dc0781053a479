using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Triage.Sigstore.Certificates;

namespace Triage.Sigstore.Crypto;

/// <summary>The public-key algorithms Sigstore uses (its algorithm registry), as far as this library verifies them.</summary>
public enum KeyAlgorithm
{
    EcdsaP256,
    EcdsaP384,
    EcdsaP521,
    Rsa,
    Ed25519,
}

/// <summary>
/// A public key that verifies signatures: ECDSA (P-256/384/521) and RSA on the BCL, Ed25519 on BouncyCastle because
/// .NET has none. Built from SPKI DER, PEM or a certificate; never from key material a bundle supplies on its own.
/// </summary>
public sealed class VerificationKey : IDisposable
{
    private const string OidEcPublicKey = "1.2.840.10045.2.1";
    private const string OidRsaEncryption = "1.2.840.113549.1.1.1";
    private const string OidRsaPss = "1.2.840.113549.1.1.10";
    private const string OidEd25519 = "1.3.101.112";

    private readonly ECDsa? _ecdsa;
    private readonly RSA? _rsa;
    private readonly Ed25519PublicKeyParameters? _ed25519;
    private readonly bool _rsaPss;

    private VerificationKey(byte[] spki, KeyAlgorithm algorithm, ECDsa? ecdsa, RSA? rsa, Ed25519PublicKeyParameters? ed25519, bool rsaPss, HashAlgorithmName hash)
    {
        SubjectPublicKeyInfo = spki;
        Algorithm = algorithm;
        _ecdsa = ecdsa;
        _rsa = rsa;
        _ed25519 = ed25519;
        _rsaPss = rsaPss;
        HashAlgorithm = hash;
    }

    public KeyAlgorithm Algorithm { get; }

    /// <summary>The DER SubjectPublicKeyInfo: the identity of the key (key ids and tlog bodies compare it byte for byte).</summary>
    public byte[] SubjectPublicKeyInfo { get; }

    /// <summary>The hash this key signs with (SHA-256 for P-256 and RSA unless the key details say otherwise).</summary>
    public HashAlgorithmName HashAlgorithm { get; }

    /// <summary>base64(SHA-256(SPKI DER)): the RFC 6962-style key id that cosign and we write as <c>publicKey.hint</c>.</summary>
    public string KeyHint => Convert.ToBase64String(SHA256.HashData(SubjectPublicKeyInfo));

    /// <summary>
    /// Loads a key from SPKI DER. <paramref name="keyDetails"/> is the trusted root's <c>keyDetails</c> name; it picks
    /// RSA padding and hash, and lets a bare PKCS#1 RSAPublicKey through (older trusted roots ship CT keys that way).
    /// </summary>
    public static VerificationKey FromSubjectPublicKeyInfo(ReadOnlySpan<byte> der, string? keyDetails = null)
    {
        try
        {
            if (keyDetails is not null && keyDetails.StartsWith("PKCS1_RSA", StringComparison.Ordinal) && !LooksLikeSpki(der))
            {
                var rsa = RSA.Create();
                rsa.ImportRSAPublicKey(der, out _);
                return FromRsa(rsa, keyDetails);
            }
            var oid = ReadAlgorithmOid(der);
            switch (oid)
            {
                case OidEcPublicKey:
                {
                    var ecdsa = ECDsa.Create();
                    ecdsa.ImportSubjectPublicKeyInfo(der, out _);
                    var (algorithm, hash) = ecdsa.KeySize switch
                    {
                        256 => (KeyAlgorithm.EcdsaP256, HashAlgorithmName.SHA256),
                        384 => (KeyAlgorithm.EcdsaP384, HashAlgorithmName.SHA384),
                        521 => (KeyAlgorithm.EcdsaP521, HashAlgorithmName.SHA512),
                        _ => throw new SigstoreFormatException(SigstoreDocument.PublicKey, null, $"unsupported EC key size {ecdsa.KeySize}"),
                    };
                    return new VerificationKey(der.ToArray(), algorithm, ecdsa, null, null, false, hash);
                }
                case OidRsaEncryption or OidRsaPss:
                {
                    var rsa = RSA.Create();
                    rsa.ImportSubjectPublicKeyInfo(der, out _);
                    return FromRsa(rsa, oid == OidRsaPss ? "PSS" : keyDetails);
                }
                case OidEd25519:
                    return FromEd25519(ReadBitString(der));
                default:
                    throw new SigstoreFormatException(SigstoreDocument.PublicKey, null, $"unsupported public key algorithm {oid}");
            }
        }
        catch (Exception e) when (e is CryptographicException or AsnContentException or ArgumentException)
        {
            throw new SigstoreFormatException(SigstoreDocument.PublicKey, null, "not a valid SubjectPublicKeyInfo", e);
        }
    }

    /// <summary>Loads a PEM public key (<c>PUBLIC KEY</c> or <c>RSA PUBLIC KEY</c>), as cosign and openssl write them.</summary>
    public static VerificationKey FromPem(string pem)
    {
        if (!PemEncoding.TryFind(pem, out var fields))
            throw new SigstoreFormatException(SigstoreDocument.PublicKey, null, "no PEM block found");
        var label = pem[fields.Label];
        byte[] der;
        try
        {
            der = Convert.FromBase64String(pem[fields.Base64Data].ToString());
        }
        catch (FormatException e)
        {
            throw new SigstoreFormatException(SigstoreDocument.PublicKey, null, "PEM body is not base64", e);
        }
        return label switch
        {
            "PUBLIC KEY" => FromSubjectPublicKeyInfo(der),
            "RSA PUBLIC KEY" => FromSubjectPublicKeyInfo(der, "PKCS1_RSA_PKCS1V5"),
            _ => throw new SigstoreFormatException(SigstoreDocument.PublicKey, null, $"expected a PUBLIC KEY PEM block, found '{label}'"),
        };
    }

    public static VerificationKey FromCertificate(X509Certificate2 certificate)
    {
        byte[] spki;
        try
        {
            spki = CertificateDer.GetSubjectPublicKeyInfo(certificate.RawData);
        }
        catch (AsnContentException e)
        {
            throw new SigstoreFormatException(SigstoreDocument.Certificate, null, "the certificate's public key cannot be read", e);
        }
        return FromSubjectPublicKeyInfo(spki);
    }

    /// <summary>An Ed25519 key from its 32 raw bytes (RFC 8032).</summary>
    public static VerificationKey FromEd25519(ReadOnlySpan<byte> raw)
    {
        if (raw.Length != 32) throw new SigstoreFormatException(SigstoreDocument.PublicKey, null, "an Ed25519 key has 32 bytes");
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence()) writer.WriteObjectIdentifier(OidEd25519);
            writer.WriteBitString(raw);
        }
        return new VerificationKey(writer.Encode(), KeyAlgorithm.Ed25519, null, null, new Ed25519PublicKeyParameters(raw.ToArray()), false, HashAlgorithmName.SHA512);
    }

    /// <summary>For Ed25519 keys: the 32 raw key bytes (C2SP note key ids hash them).</summary>
    public byte[]? Ed25519RawKey => _ed25519?.GetEncoded();

    /// <summary>Verifies <paramref name="signature"/> over <paramref name="data"/> (hash-then-sign, or pure Ed25519).</summary>
    public bool VerifyData(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature, DSASignatureFormat ecdsaFormat = DSASignatureFormat.Rfc3279DerSequence)
    {
        try
        {
            if (_ecdsa is not null) return _ecdsa.VerifyData(data, signature, HashAlgorithm, ecdsaFormat);
            if (_rsa is not null) return _rsa.VerifyData(data, signature, HashAlgorithm, _rsaPss ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1);
            var verifier = new Ed25519Signer();
            verifier.Init(false, _ed25519);
            verifier.BlockUpdate(data);
            return verifier.VerifySignature(signature.ToArray());
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            // A malformed signature is an invalid one.
            return false;
        }
    }

    /// <summary>
    /// Verifies a signature over a precomputed digest (verifying against an artifact digest without the artifact).
    /// Pure Ed25519 signs the message itself, so it cannot be verified this way.
    /// </summary>
    public bool VerifyDigest(ReadOnlySpan<byte> digest, HashAlgorithmName digestAlgorithm, ReadOnlySpan<byte> signature)
    {
        if (digestAlgorithm != HashAlgorithm) return false;
        try
        {
            if (_ecdsa is not null) return _ecdsa.VerifyHash(digest, signature, DSASignatureFormat.Rfc3279DerSequence);
            if (_rsa is not null) return _rsa.VerifyHash(digest, signature, HashAlgorithm, _rsaPss ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1);
            return false;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        _ecdsa?.Dispose();
        _rsa?.Dispose();
    }

    private static VerificationKey FromRsa(RSA rsa, string? keyDetails)
    {
        var details = keyDetails ?? "";
        var hash = details.Contains("SHA384", StringComparison.Ordinal) || details.Contains("SHA_384", StringComparison.Ordinal) ? HashAlgorithmName.SHA384
            : details.Contains("SHA512", StringComparison.Ordinal) || details.Contains("SHA_512", StringComparison.Ordinal) ? HashAlgorithmName.SHA512
            : HashAlgorithmName.SHA256;
        return new VerificationKey(rsa.ExportSubjectPublicKeyInfo(), KeyAlgorithm.Rsa, null, rsa, null, details.Contains("PSS", StringComparison.Ordinal), hash);
    }

    private static bool LooksLikeSpki(ReadOnlySpan<byte> der)
    {
        try
        {
            ReadAlgorithmOid(der);
            return true;
        }
        catch (AsnContentException)
        {
            return false;
        }
    }

    private static string ReadAlgorithmOid(ReadOnlySpan<byte> spki)
    {
        var reader = new AsnReader(spki.ToArray(), AsnEncodingRules.DER);
        var seq = reader.ReadSequence();
        var algorithm = seq.ReadSequence();
        return algorithm.ReadObjectIdentifier();
    }

    private static byte[] ReadBitString(ReadOnlySpan<byte> spki)
    {
        var reader = new AsnReader(spki.ToArray(), AsnEncodingRules.DER);
        var seq = reader.ReadSequence();
        seq.ReadSequence();
        return seq.ReadBitString(out _);
    }
}
