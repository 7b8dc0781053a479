using System.Security.Cryptography;

namespace Triage.Sigstore.Bundles;

/// <summary>How a bundle names its signer.</summary>
public enum SigningMaterialKind
{
    /// <summary><c>publicKey.hint</c>: a self-managed key the verifier must be given out of band.</summary>
    PublicKey,

    /// <summary><c>x509CertificateChain</c> (v0.1/v0.2): leaf first, possibly with intermediates the verifier must not trust.</summary>
    CertificateChain,

    /// <summary><c>certificate</c> (v0.3): the leaf alone.</summary>
    Certificate,
}

/// <summary>The <c>verificationMaterial</c> of a bundle.</summary>
public sealed record VerificationMaterial
{
    public required SigningMaterialKind Kind { get; init; }

    /// <summary>For <see cref="SigningMaterialKind.PublicKey"/>: the unauthenticated key hint.</summary>
    public string? PublicKeyHint { get; init; }

    /// <summary>DER certificates, leaf first; empty for a keyed bundle.</summary>
    public IReadOnlyList<byte[]> Certificates { get; init; } = [];

    public IReadOnlyList<TransparencyLogEntry> TlogEntries { get; init; } = [];

    /// <summary>DER RFC 3161 <c>TimeStampResp</c> structures over the signature bytes.</summary>
    public IReadOnlyList<byte[]> Rfc3161Timestamps { get; init; } = [];
}

/// <summary>A signature over an artifact (<c>messageSignature</c>).</summary>
public sealed record MessageSignature
{
    /// <summary>Digest algorithm of <see cref="Digest"/>, when the bundle states one.</summary>
    public HashAlgorithmName? DigestAlgorithm { get; init; }

    /// <summary>The artifact digest the signer claims: a hint only, never used to verify the signature.</summary>
    public byte[]? Digest { get; init; }

    /// <summary>Raw signature bytes (ECDSA: ASN.1 DER).</summary>
    public required byte[] Signature { get; init; }
}
