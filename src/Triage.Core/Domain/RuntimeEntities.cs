using Triage.Core.Enrichment;
using Triage.Core.Ranking;
using Triage.Core.Runtime;
using Triage.Core.Runtime.Files;
using Triage.Core.Runtime.Inventory;
using Triage.Core.Runtime.Verdicts;

namespace Triage.Core.Domain;

// Persisted runtime evidence, enrichment and the computed verdicts and scores (docs/decisions/033-runtime-persistence-and-scores.md).
// Plain classes for EF Core, configured in Triage.Data; times are UTC DateTime, dates are UTC midnight.

/// <summary>One runtime-evidence file as received (gzip-compressed), with the options it was read with, so verdicts can be
/// recomputed from it when scans of its image arrive later.</summary>
public sealed class RuntimeEvidenceFile
{
    public long Id { get; set; }
    public RuntimeEvidenceKind Kind { get; set; }
    public required string FileName { get; set; }
    /// <summary>Lower-case hex SHA-256 of the uncompressed bytes. The same bytes with the same options are a duplicate.</summary>
    public required string Sha256 { get; set; }
    public long SizeBytes { get; set; }
    /// <summary>gzip of the file; null once purged.</summary>
    public byte[]? Content { get; set; }
    /// <summary>Cluster name given at ingest (inventories).</summary>
    public string? Cluster { get; set; }
    /// <summary>The image the file describes, given at ingest (slim reports, govulncheck, package lists without one).</summary>
    public string? Image { get; set; }
    /// <summary>Completeness given at ingest for a slim container report (null: slim's default, complete).</summary>
    public ProfileCompleteness? Completeness { get; set; }
    /// <summary>Source name given at ingest for file-access JSON lines without a header.</summary>
    public string? Source { get; set; }
    /// <summary>Coverage stated at ingest for an inventory (<see cref="InventoryCoverage.ToWire"/>); null: derived from the list.</summary>
    public string? Coverage { get; set; }
    /// <summary>One line for people ("3 workloads in 2 namespaces", "profile of 23 files, complete").</summary>
    public string? Summary { get; set; }
    public List<string> Warnings { get; set; } = [];
    /// <summary>When the evidence was true: the snapshot time given at ingest, else the ingest time.</summary>
    public DateTime ObservedAt { get; set; }
    public DateTime ImportedAt { get; set; }
    public string? ImportedBy { get; set; }
}

/// <summary>What one evidence file says about one image.</summary>
public enum RuntimeEvidencePart
{
    /// <summary>Files used at runtime (slim monitors, file-access JSON lines).</summary>
    FileAccessProfile = 0,
    /// <summary>A complete list of the files in the image (slim's kept files).</summary>
    FileInventory = 1,
    /// <summary>govulncheck: which vulnerable symbols are called, imported or only required.</summary>
    CodeReachability = 2,
    /// <summary>Packages with their files (Trivy --list-all-pkgs, Syft, CycloneDX).</summary>
    PackageFileList = 3,
    /// <summary>slim's build report: the original image and what it was minified to (informational).</summary>
    SlimBuild = 4,
}

/// <summary>
/// One part of one evidence file, for one image. Images are matched to artifacts when verdicts are computed, by
/// manifest digest, image config digest, or (when the evidence names neither) repository and tag, so evidence ingested
/// before the scan of its image still applies once the scan arrives.
/// </summary>
public sealed class RuntimeImageEvidence
{
    public long Id { get; set; }
    public long EvidenceFileId { get; set; }
    public RuntimeEvidencePart Part { get; set; }
    /// <summary>Source name shown with verdicts: "slim-creport", "file-access:tetragon", "govulncheck", "package-list:syft".</summary>
    public required string Source { get; set; }
    /// <summary>The image as the evidence (or the ingest option) wrote it.</summary>
    public required string ImageReference { get; set; }
    /// <summary>Normalised repository (docker.io/library/nginx), when the reference names one.</summary>
    public string? Repository { get; set; }
    public string? Tag { get; set; }
    public string? Digest { get; set; }
    public string? ImageId { get; set; }
    /// <summary>Profiles only: partial profiles prove use, never non-use.</summary>
    public ProfileCompleteness? Completeness { get; set; }
    public string? PartialReason { get; set; }
    /// <summary>Files (profiles, inventories), packages (lists) or findings (govulncheck).</summary>
    public int Items { get; set; }
    /// <summary>What people see about this part ("symbol-level source scan: 2 called, 5 imported, 30 required").</summary>
    public string? Detail { get; set; }
    public DateTime ObservedAt { get; set; }
}

/// <summary>One deployment-inventory file: what ran where when it was taken.</summary>
public sealed class RuntimeSnapshot
{
    public long Id { get; set; }
    public long EvidenceFileId { get; set; }
    public InventorySource Source { get; set; }
    /// <summary>Cluster name ("" when none was given).</summary>
    public required string Cluster { get; set; }
    public DateTime ObservedAt { get; set; }
    public int Workloads { get; set; }
    /// <summary>What the inventory covers (docs/decisions/109-inventory-coverage.md); inventories stored before coverage was
    /// recorded read as <see cref="CoverageKind.Cluster"/>, as they were treated then.</summary>
    public CoverageKind Coverage { get; set; }
    /// <summary>The namespaces (comma-separated) or the node covered; "" for the cluster or a partial list.</summary>
    public string CoverageScope { get; set; } = "";
    /// <summary>True when the uploader stated the coverage; false when it was derived from the list.</summary>
    public bool CoverageStated { get; set; }
}

/// <summary>
/// A container of a workload and the image it runs, as the latest snapshot that saw it described it, with when it was
/// first and last seen. A workload counts as running while it was seen within the configured window of the newest
/// snapshot of its cluster and source.
/// </summary>
public sealed class RuntimeWorkload
{
    public long Id { get; set; }
    public InventorySource Source { get; set; }
    /// <summary>"" when no cluster was named.</summary>
    public required string Cluster { get; set; }
    public required string Namespace { get; set; }
    public required string WorkloadKind { get; set; }
    public required string WorkloadName { get; set; }
    public bool WorkloadInferred { get; set; }
    /// <summary>"" when the source names no container.</summary>
    public required string Container { get; set; }
    public bool InitContainer { get; set; }
    /// <summary>Digest, else config digest, else the reference: the identity of the image within the workload.</summary>
    public required string ImageKey { get; set; }
    public required string ImageReference { get; set; }
    public string? Repository { get; set; }
    public string? Tag { get; set; }
    public string? Digest { get; set; }
    public string? ImageId { get; set; }
    public string? Environment { get; set; }
    /// <summary>Active pods; null when the source does not count them (trivy-operator).</summary>
    public int? Replicas { get; set; }
    public int Pods { get; set; }
    /// <summary>Labels common to the workload's pods, as a JSON object.</summary>
    public string? LabelsJson { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime FirstSeen { get; set; }
    public DateTime LastSeen { get; set; }
    public long LastSnapshotId { get; set; }
}

/// <summary>A CVE in the CISA Known Exploited Vulnerabilities catalog (the latest imported catalog).</summary>
public sealed class KevListing
{
    public required string CveId { get; set; }
    public DateTime DateAdded { get; set; }
    public DateTime? DueDate { get; set; }
    public RansomwareUse Ransomware { get; set; }
    public string? VendorProject { get; set; }
    public string? Product { get; set; }
    public string? VulnerabilityName { get; set; }
    public string? RequiredAction { get; set; }
    /// <summary>When Triage first saw the CVE listed (re-review flags start here).</summary>
    public DateTime FirstImportedAt { get; set; }
}

/// <summary>The FIRST EPSS score of one CVE, with the date it was computed for. A newer file replaces older scores.</summary>
public sealed class EpssEntry
{
    public required string Cve { get; set; }
    public double Epss { get; set; }
    public double Percentile { get; set; }
    public DateTime ScoreDate { get; set; }
}

public enum EnrichmentFeed
{
    Kev = 0,
    Epss = 1,
}

/// <summary>One import of a KEV catalog or an EPSS file (from a file or the scheduled download).</summary>
public sealed class EnrichmentImport
{
    public long Id { get; set; }
    public EnrichmentFeed Feed { get; set; }
    /// <summary>json, csv, csv.gz…</summary>
    public required string Format { get; set; }
    /// <summary>KEV catalogVersion or EPSS model version.</summary>
    public string? Version { get; set; }
    /// <summary>KEV dateReleased or EPSS score_date.</summary>
    public DateTime? DataDate { get; set; }
    public int Rows { get; set; }
    public int Added { get; set; }
    public int Removed { get; set; }
    public int Changed { get; set; }
    /// <summary>File name or URL.</summary>
    public required string Source { get; set; }
    public required string Sha256 { get; set; }
    public DateTime ImportedAt { get; set; }
    public string? ImportedBy { get; set; }
}

/// <summary>The runtime verdict of one finding, stored when evidence applies to its image (no row: unknown).</summary>
public sealed class FindingVerdict
{
    public long FindingId { get; set; }
    public ReachabilityVerdict Verdict { get; set; }
    public VerdictConfidence Confidence { get; set; }
    public ProposedJustification? ProposedJustification { get; set; }
    /// <summary>[{"source","verdict","confidence","detail","justification"}]</summary>
    public required string SourcesJson { get; set; }
    /// <summary>["…"], null when there are none.</summary>
    public string? NotesJson { get; set; }
    /// <summary>Judged with the package list of an image that runs in place of the finding's (ADR 109): a claim or a note of
    /// it says so. Indexed where true, so the refresh after an inventory finds these verdicts without reading the others (ADR 112).</summary>
    public bool FromRunningImage { get; set; }
    public DateTime ComputedAt { get; set; }
    /// <summary>When this verdict took effect: judging again to the same verdict keeps it (ADR 108).</summary>
    public DateTime VerdictSince { get; set; }
}

/// <summary>
/// The stored score of one finding, so lists sort by it in SQL. <see cref="RankKey"/> encodes the ranker's total
/// order (ranked before excluded, score, priority, KEV, EPSS, impact); ties go by finding id.
/// </summary>
public sealed class FindingRisk
{
    public long FindingId { get; set; }
    public int ScoreTenths { get; set; }
    public SsvcPriority Priority { get; set; }
    /// <summary>VEX not_affected or fixed: score 0, after every ranked finding.</summary>
    public bool Excluded { get; set; }
    public long RankKey { get; set; }
    /// <summary>Highest CVSS base score of the finding's observations (v3/v4 preferred), kept so rescoring need not parse them again.</summary>
    public double? CvssScore { get; set; }
    /// <summary>The ranking policy the score was computed with.</summary>
    public long PolicyId { get; set; }
    public DateTime ComputedAt { get; set; }
    /// <summary>When this priority took effect: scoring again to the same priority keeps it (ADR 108).</summary>
    public DateTime PrioritySince { get; set; }
}

/// <summary>
/// A priority or runtime verdict a finding had and no longer has, with the period it held: written when a stored score's
/// priority or a stored verdict is replaced by another or withdrawn, so the weekly review can say what was true at the end
/// of a past week (ADR 108). Exactly one of <see cref="Priority"/> and <see cref="Verdict"/> is set.
/// </summary>
public sealed class FindingRiskPeriod
{
    public long Id { get; set; }
    public long FindingId { get; set; }
    public SsvcPriority? Priority { get; set; }
    public ReachabilityVerdict? Verdict { get; set; }
    /// <summary>When it took effect.</summary>
    public DateTime Since { get; set; }
    /// <summary>When it was replaced or withdrawn (exclusive).</summary>
    public DateTime Until { get; set; }
}

/// <summary>A ranking policy that scored findings, as JSON with its hash: explanations are rebuilt with the policy that
/// produced the stored score.</summary>
public sealed class StoredRankingPolicy
{
    public long Id { get; set; }
    /// <summary>Lower-case hex SHA-256 of <see cref="PolicyJson"/>.</summary>
    public required string Hash { get; set; }
    public required string PolicyJson { get; set; }
    public DateTime CreatedAt { get; set; }
}
