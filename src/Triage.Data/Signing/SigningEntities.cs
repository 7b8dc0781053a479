namespace Triage.Data.Signing;

// Signing and signature checks in the app (docs/decisions/043-signing-in-the-app.md).

/// <summary>The app's ECDSA P-256 signing key, generated on first use. The private key (PKCS#8) is stored protected with
/// ASP.NET Data Protection (<see cref="SigningKeyProtector"/>); the public key is plain PEM, downloadable by anyone signed in.</summary>
public sealed class SigningKeyRecord
{
    public long Id { get; set; }
    /// <summary>Base64 SHA-256 of the public key's SubjectPublicKeyInfo: the bundle's <c>publicKey.hint</c>.</summary>
    public required string KeyId { get; set; }
    public required string PublicKeyPem { get; set; }
    public required string ProtectedPrivateKey { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>One element of the Data Protection key ring that protects <see cref="SigningKeyRecord.ProtectedPrivateKey"/>,
/// kept in the database so the CLI and every web instance unprotect the same key.</summary>
public sealed class SigningKeyRingEntry
{
    public long Id { get; set; }
    public string? FriendlyName { get; set; }
    public required string Xml { get; set; }
}

/// <summary>A trusted root (Sigstore trusted_root.json) for one trust domain, added or replaced by an admin. The
/// public-good instance's root ships with the app and applies while no row replaces the "public-good" domain.</summary>
public sealed class TrustedRootRecord
{
    public long Id { get; set; }
    /// <summary>Lower-case name: "public-good", "internal"…</summary>
    public required string Domain { get; set; }
    public required string Json { get; set; }
    public DateTime UpdatedAt { get; set; }
    public string? UpdatedBy { get; set; }
}

/// <summary>Who may sign for a VEX author: a keyless identity (certificate SAN, exact or a regular expression, with its
/// OIDC issuer) or a public key. A document by that author verifies only when signed by one of them.</summary>
public sealed class TrustedSigner
{
    public long Id { get; set; }
    /// <summary>Lower-case author, as <see cref="Core.Domain.VexAuthor.AuthorKey"/>; "*" for any author (e.g. the image builders' CI).</summary>
    public required string AuthorKey { get; set; }
    public string? Identity { get; set; }
    public bool IdentityIsPattern { get; set; }
    public string? Issuer { get; set; }
    public string? PublicKeyPem { get; set; }
    /// <summary>Key hint of <see cref="PublicKeyPem"/>.</summary>
    public string? KeyId { get; set; }
    public DateTime AddedAt { get; set; }
    public string? AddedBy { get; set; }
}

/// <summary>What a signature check of something uploaded found: who signed (identity, issuer, key), when, and whether it
/// verified under the trust policy. Shared shape of document signatures and attestations.</summary>
public abstract class SignatureFacts
{
    public bool Verified { get; set; }
    /// <summary>The failed check's machine-readable code (Sigstore <c>FailureCode</c>), or "untrusted_signer" when the
    /// signature is sound but no trusted signer of the author made it; null when verified.</summary>
    public string? FailureCode { get; set; }
    public string? Reason { get; set; }
    public string? SignerIdentity { get; set; }
    public string? SignerIssuer { get; set; }
    public string? SignerKeyId { get; set; }
    public DateTime? SignedAt { get; set; }
    public string? TrustDomain { get; set; }
    public required string BundleJson { get; set; }
    public DateTime CheckedAt { get; set; }
}

/// <summary>The Sigstore bundle uploaded with an imported VEX document, and what checking it found.</summary>
public sealed class VexDocumentSignature : SignatureFacts
{
    public long DocumentId { get; set; }
}

/// <summary>A cosign attestation (DSSE in-toto statement in a Sigstore bundle) uploaded for an image: SLSA provenance
/// shows builder, source repository and commit on the image page.</summary>
public sealed class AttestationRecord : SignatureFacts
{
    public long Id { get; set; }
    /// <summary>The image it speaks about, when Triage knows a digest among its subjects.</summary>
    public long? ArtifactId { get; set; }
    public required string SubjectDigest { get; set; }
    public string? SubjectName { get; set; }
    public required string PredicateType { get; set; }
    public string? Builder { get; set; }
    public string? BuildType { get; set; }
    public string? SourceRepository { get; set; }
    public string? SourceCommit { get; set; }
    /// <summary>Lower-case hex SHA-256 of the bundle bytes: the same bundle is one attestation.</summary>
    public required string Sha256 { get; set; }
    public string? FileName { get; set; }
    public DateTime UploadedAt { get; set; }
    public string? UploadedBy { get; set; }
}

/// <summary>A setting the CLI and every web instance must agree on because stored data depends on it (the materialised
/// effective decisions depend on whether imported VEX must be signed).</summary>
public sealed class AppSetting
{
    public required string Key { get; set; }
    public required string Value { get; set; }
    public DateTime UpdatedAt { get; set; }
}
