using Triage.Sigstore.Bundles;
using Triage.Sigstore.Certificates;
using Triage.Sigstore.InToto;

namespace Triage.Sigstore.Verification;

public enum SigningTimeSource
{
    /// <summary>A Rekor integrated time vouched for by a verified inclusion promise (SET).</summary>
    TransparencyLog,

    /// <summary>An RFC 3161 timestamp from a trusted timestamp authority.</summary>
    TimestampAuthority,
}

/// <summary>A signing time the verifier trusts, and who vouches for it.</summary>
public sealed record SigningTime(DateTimeOffset Time, SigningTimeSource Source, string Authority);

/// <summary>A transparency-log entry that verified (proof or promise, checkpoint, body consistency).</summary>
public sealed record VerifiedLogEntry(string LogUrl, long LogIndex, DateTimeOffset? IntegratedTime);

/// <summary>
/// The outcome of verifying a bundle. Failures are values, not exceptions: <see cref="FailureCode"/> names the
/// check that failed and <see cref="Reason"/> says why in words.
/// </summary>
public sealed record VerificationResult
{
    public bool Success => FailureCode is null;

    /// <summary>The failed check, or null on success.</summary>
    public FailureCode? FailureCode { get; init; }

    /// <summary>The stable string of <see cref="FailureCode"/> (e.g. <c>tlog_inclusion_proof</c>), or null on success.</summary>
    public string? Code => FailureCode?.ToCode();

    /// <summary>Why the check failed, readable by a person.</summary>
    public string? Reason { get; init; }

    /// <summary>The parsed bundle (null when it could not be parsed).</summary>
    public SigstoreBundle? Bundle { get; init; }

    /// <summary>Keyless: who the certificate names (set once the certificate was read, even if a later check failed).</summary>
    public SignerIdentity? Signer { get; init; }

    /// <summary>Keyed: the hint of the key that verified.</summary>
    public string? PublicKeyHint { get; init; }

    public IReadOnlyList<SigningTime> SigningTimes { get; init; } = [];
    public IReadOnlyList<VerifiedLogEntry> LogEntries { get; init; } = [];

    /// <summary>DSSE: the verified in-toto statement.</summary>
    public InTotoStatement? Statement { get; init; }

    /// <summary>The checks that passed, in order, in words (for a UI or a verbose CLI).</summary>
    public IReadOnlyList<string> PassedChecks { get; init; } = [];

    public override string ToString() => Success ? "verified" : $"{Code}: {Reason}";
}
