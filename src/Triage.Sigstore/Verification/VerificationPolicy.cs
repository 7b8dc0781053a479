using Triage.Sigstore.Crypto;
using Triage.Sigstore.Trust;

namespace Triage.Sigstore.Verification;

/// <summary>
/// What a bundle must satisfy beyond cryptographic validity: who signed (an identity for keyless bundles, a key for
/// keyed ones), how many independent proofs are required, and optionally the attestation's predicate type.
/// </summary>
public sealed record VerificationPolicy
{
    /// <summary>Keyless: the certificate must match one of these.</summary>
    public IReadOnlyList<CertificateIdentity> Identities { get; init; } = [];

    /// <summary>Keyless: accept any signer identity. Only for inspection: it proves nothing about who signed.</summary>
    public bool AllowAnyIdentity { get; init; }

    /// <summary>Keyed: the key the bundle's <c>publicKey.hint</c> refers to (never taken from the bundle itself).</summary>
    public VerificationKey? PublicKey { get; init; }

    /// <summary>Keyed: when the key may have signed; every trusted signing time must fall inside.</summary>
    public ValidityPeriod PublicKeyValidFor { get; init; } = ValidityPeriod.Always;

    /// <summary>Minimum verified entries from trusted logs. Default: 1 for keyless bundles, 0 for keyed ones (offline signing).</summary>
    public int? TransparencyLogThreshold { get; init; }

    /// <summary>
    /// Minimum trusted signing times (verified SETs plus RFC 3161 timestamps). Default: 1 for keyless bundles (a
    /// short-lived certificate means nothing without one), 0 for keyed ones.
    /// </summary>
    public int? SigningTimeThreshold { get; init; }

    /// <summary>Keyless: minimum verified SCTs in the certificate.</summary>
    public int CertificateTransparencyThreshold { get; init; } = 1;

    /// <summary>DSSE: the predicate type must equal this.</summary>
    public string? RequiredPredicateType { get; init; }

    /// <summary>DSSE: the predicate type must start with this (e.g. <c>https://openvex.dev/ns</c> accepts versioned URIs).</summary>
    public string? RequiredPredicateTypePrefix { get; init; }

    public static VerificationPolicy ForIdentity(string subjectAlternativeName, string issuer) =>
        new() { Identities = [CertificateIdentity.Exact(subjectAlternativeName, issuer)] };

    public static VerificationPolicy ForIdentityPattern(string subjectAlternativeNamePattern, string issuer) =>
        new() { Identities = [CertificateIdentity.Pattern(subjectAlternativeNamePattern, issuer)] };

    public static VerificationPolicy ForKey(VerificationKey key) => new() { PublicKey = key };
}
