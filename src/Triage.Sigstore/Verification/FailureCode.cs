namespace Triage.Sigstore.Verification;

/// <summary>Which check of the verification failed. <see cref="FailureCodes.ToCode"/> gives the stable machine-readable string.</summary>
public enum FailureCode
{
    /// <summary>The bundle is not a structurally valid Sigstore bundle of a known version.</summary>
    BundleFormat,
    /// <summary>The trusted root cannot be used (malformed, or lacks what this bundle needs).</summary>
    TrustedRoot,
    /// <summary>The key to verify with is missing, unreadable, not valid at the signing time, or unsuitable for the bundle.</summary>
    PublicKey,
    /// <summary>An RFC 3161 timestamp does not verify against a trusted timestamp authority.</summary>
    Timestamp,
    /// <summary>Fewer trusted signing times than the policy requires (no verified SET or timestamp).</summary>
    SigningTime,
    /// <summary>The signing certificate does not chain to a trusted Fulcio CA valid at the signing time.</summary>
    CertificateChain,
    /// <summary>The certificate lacks a verifiable SCT from a trusted CT log.</summary>
    Sct,
    /// <summary>The certificate identity (SAN, OIDC issuer, other extensions) does not match the policy.</summary>
    Identity,
    /// <summary>The signature does not verify over the artifact or the DSSE PAE.</summary>
    Signature,
    /// <summary>The artifact does not match what was signed (message digest or in-toto subject).</summary>
    ArtifactDigest,
    /// <summary>The bundle signs an artifact directly but no artifact (or digest) was given.</summary>
    ArtifactRequired,
    /// <summary>The DSSE payload is not an acceptable in-toto statement.</summary>
    Statement,
    /// <summary>The statement's predicate type is not the one the policy requires.</summary>
    PredicateType,
    /// <summary>Fewer verified entries from trusted transparency logs than the policy requires.</summary>
    TlogMissing,
    /// <summary>The inclusion promise (SET) does not verify, or its time is outside the log key's validity.</summary>
    TlogSet,
    /// <summary>The inclusion proof is missing, malformed or does not lead to the stated root.</summary>
    TlogInclusionProof,
    /// <summary>The checkpoint is malformed or does not match the inclusion proof.</summary>
    Checkpoint,
    /// <summary>No checkpoint signature verifies with the log's key.</summary>
    CheckpointSignature,
    /// <summary>The log entry records a different signing event than the bundle's.</summary>
    TlogBodyMismatch,
}

public static class FailureCodes
{
    /// <summary>The stable snake_case code (for CLIs, logs and UIs).</summary>
    public static string ToCode(this FailureCode code) => code switch
    {
        FailureCode.BundleFormat => "bundle_format",
        FailureCode.TrustedRoot => "trusted_root",
        FailureCode.PublicKey => "public_key",
        FailureCode.Timestamp => "timestamp",
        FailureCode.SigningTime => "signing_time",
        FailureCode.CertificateChain => "certificate_chain",
        FailureCode.Sct => "sct",
        FailureCode.Identity => "identity",
        FailureCode.Signature => "signature",
        FailureCode.ArtifactDigest => "artifact_digest",
        FailureCode.ArtifactRequired => "artifact_required",
        FailureCode.Statement => "statement",
        FailureCode.PredicateType => "predicate_type",
        FailureCode.TlogMissing => "tlog_missing",
        FailureCode.TlogSet => "tlog_set",
        FailureCode.TlogInclusionProof => "tlog_inclusion_proof",
        FailureCode.Checkpoint => "checkpoint",
        FailureCode.CheckpointSignature => "checkpoint_signature",
        FailureCode.TlogBodyMismatch => "tlog_body_mismatch",
    };
}
