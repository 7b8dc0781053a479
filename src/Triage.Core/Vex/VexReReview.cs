using Triage.Core.Identity;

namespace Triage.Core.Vex;

/// <summary>What runtime and image evidence says about a package, weakest to strongest.</summary>
public enum PackageEvidence
{
    /// <summary>The package is not in the image (SBOM/scan of this digest).</summary>
    Absent,
    /// <summary>In the image, but none of its files was loaded at runtime.</summary>
    PresentNotLoaded,
    /// <summary>Its files were loaded by a running process.</summary>
    Loaded,
    /// <summary>Its vulnerable code was shown reachable (symbol-level reachability or a runtime call trace).</summary>
    Reachable,
}

public enum ReReviewReason
{
    Expired,
    PackageVersionChanged,
    EnteredKev,
    EvidenceContradictsJustification,
}

public sealed record ReReviewFlag(ReReviewReason Reason, string Message)
{
    public string CodeName => Reason switch
    {
        ReReviewReason.Expired => "expired",
        ReReviewReason.PackageVersionChanged => "package_version_changed",
        ReReviewReason.EnteredKev => "entered_kev",
        ReReviewReason.EvidenceContradictsJustification => "evidence_contradicts_justification",
    };
}

/// <summary>Facts about the present that may make a past decision stale. Every field is optional.</summary>
/// <param name="Now">The time to judge expiry against.</param>
/// <param name="PackageInNewerDigest">The statement's package as found in a newer digest of the same repository.</param>
/// <param name="NewerDigest">That digest, for the message.</param>
/// <param name="KevDateAdded">When CISA KEV listed the vulnerability, if it is listed.</param>
/// <param name="Evidence">What runtime/image evidence now says about the package.</param>
public sealed record ReReviewContext(
    DateTimeOffset Now,
    Purl? PackageInNewerDigest = null,
    string? NewerDigest = null,
    DateTimeOffset? KevDateAdded = null,
    PackageEvidence? Evidence = null);

/// <summary>
/// Pure checks that flag a statement for re-review. They never change a decision: a person looks again.
/// </summary>
public static class VexReReview
{
    public static IReadOnlyList<ReReviewFlag> Check(VexStatement s, ReReviewContext ctx)
    {
        var flags = new List<ReReviewFlag>();

        if (s.IsExpired(ctx.Now))
            flags.Add(new(ReReviewReason.Expired, $"The statement expired on {s.ExpiresAt:O}."));

        // Bound to a version: a decision about busybox 1.36.1-r15 says nothing about the 1.36.1-r29 a rebuild brought in.
        if (ctx.PackageInNewerDigest is { } newer && s.Subcomponent is { } sub
            && sub.Package.WithVersion(null).Covers(newer.WithVersion(null)))
        {
            var bound = sub.Package.Version;
            var changed = sub.Range is not null ? !sub.Range.Contains(newer.Version) : bound is not null && !string.Equals(bound, newer.Version, StringComparison.Ordinal);
            if (changed)
                flags.Add(new(ReReviewReason.PackageVersionChanged,
                    $"The decision was about {sub}; {(ctx.NewerDigest is null ? "a newer digest" : ctx.NewerDigest)} has {newer.Name} {newer.Version ?? "(no version)"}."));
        }

        // Fixed is a fact about code, not about exploitation, so KEV does not reopen it; every other status deserves a look
        // when exploitation in the wild became known after the decision.
        if (ctx.KevDateAdded is { } kev && s.Status != VexStatus.Fixed && kev > s.Timestamp)
            flags.Add(new(ReReviewReason.EnteredKev,
                $"{s.Vulnerability.Id} entered CISA KEV on {kev:yyyy-MM-dd}, after this {s.Status.ToWire()} decision of {s.Timestamp:yyyy-MM-dd}."));

        if (ctx.Evidence is { } e && s.Status == VexStatus.NotAffected && Contradiction(s.EffectiveJustification?.Justification, e) is { } why)
            flags.Add(new(ReReviewReason.EvidenceContradictsJustification, why));

        return flags;
    }

    private static string? Contradiction(VexJustification? j, PackageEvidence e) => (j, e) switch
    {
        (VexJustification.ComponentNotPresent, not PackageEvidence.Absent) =>
            $"Justification component_not_present, but the package is {Describe(e)}.",
        (VexJustification.VulnerableCodeNotInExecutePath, PackageEvidence.Loaded or PackageEvidence.Reachable) =>
            $"Justification vulnerable_code_not_in_execute_path, but the package is {Describe(e)}.",
        (VexJustification.VulnerableCodeNotPresent, PackageEvidence.Reachable) =>
            "Justification vulnerable_code_not_present, but the vulnerable code was shown reachable.",
        _ => null,
    };

    private static string Describe(PackageEvidence e) => e switch
    {
        PackageEvidence.Absent => "absent from the image",
        PackageEvidence.PresentNotLoaded => "present in the image (never loaded)",
        PackageEvidence.Loaded => "loaded at runtime",
        PackageEvidence.Reachable => "reachable (vulnerable code called)",
    };
}

/// <summary>A proposed justification with its reason. A suggestion only: a person accepts it by recording a statement.</summary>
public sealed record JustificationSuggestion(VexJustification? Justification, string Reason);

/// <summary>Proposes a not_affected justification from evidence; never decides.</summary>
public static class JustificationSuggester
{
    /// <param name="evidence">What is known about the package in this image.</param>
    /// <param name="vulnerableFilesRemovedBySlimming">True when slimming removed the files the vulnerability lives in while the
    /// package record stayed (so the component is nominally present but its vulnerable code is gone).</param>
    public static JustificationSuggestion Suggest(PackageEvidence evidence, bool vulnerableFilesRemovedBySlimming = false)
    {
        if (vulnerableFilesRemovedBySlimming && evidence is not (PackageEvidence.Loaded or PackageEvidence.Reachable))
            return new(VexJustification.VulnerableCodeNotPresent, "Slimming removed the package's vulnerable files from the image.");
        return evidence switch
        {
            PackageEvidence.Absent => new(VexJustification.ComponentNotPresent, "The package is not in this image."),
            PackageEvidence.PresentNotLoaded => new(VexJustification.VulnerableCodeNotInExecutePath, "The package is in the image but none of its files was loaded at runtime."),
            PackageEvidence.Loaded => new(null, "The package is loaded at runtime: evidence does not support not_affected."),
            PackageEvidence.Reachable => new(null, "The vulnerable code is reachable: evidence does not support not_affected."),
        };
    }
}
