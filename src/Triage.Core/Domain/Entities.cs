namespace Triage.Core.Domain;

// Persisted domain types. Plain classes so EF Core maps them without attributes (Triage.Data configures them);
// times are UTC DateTime so both providers order and compare them in SQL.

/// <summary>An image repository such as docker.io/library/nginx. Decisions and lineage attach here.</summary>
public sealed class ImageRepository
{
    public long Id { get; set; }
    /// <summary>Normalised name: registry host + path, e.g. docker.io/library/nginx.</summary>
    public required string Name { get; set; }
    public long? TeamId { get; set; }
    /// <summary>The repository this one replaces (e.g. app on debian → app on distroless), for reduction tracking.</summary>
    public long? ReplacesRepositoryId { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>One image (a digest) of a repository, with the tags seen for it. Reports without a digest get an
/// artifact keyed by their image reference until a report with the digest adopts it.</summary>
public sealed class Artifact
{
    public long Id { get; set; }
    public long RepositoryId { get; set; }
    /// <summary>Manifest (repository) digest "sha256:hex" when known.</summary>
    public string? Digest { get; set; }
    /// <summary>Image config digest "sha256:hex" when known (Trivy ImageID, Grype imageID).</summary>
    public string? ImageId { get; set; }
    /// <summary>Tags seen for this digest, comma-free list.</summary>
    public List<string> Tags { get; set; } = [];
    public string? OsFamily { get; set; }
    public string? OsName { get; set; }
    public string? BaseImage { get; set; }
    public long? SizeBytes { get; set; }
    public int PackageCount { get; set; }
    public DateTime FirstSeen { get; set; }
    public DateTime LastSeen { get; set; }
}

/// <summary>One imported scanner report for one artifact.</summary>
public sealed class Scan
{
    public long Id { get; set; }
    public long ArtifactId { get; set; }
    public long RawReportId { get; set; }
    public required string Scanner { get; set; }
    public string? ScannerVersion { get; set; }
    public string? DatabaseInfo { get; set; }
    public DateTime? ReportCreatedAt { get; set; }
    public DateTime ImportedAt { get; set; }
    /// <summary>What the report called the target (image reference, path, workload).</summary>
    public string? Target { get; set; }
    public int ObservationCount { get; set; }
    public int FindingCount { get; set; }
    public int NewFindingCount { get; set; }
    /// <summary>Sections skipped ("misconfigurations: 3, secrets: 1").</summary>
    public string? Skipped { get; set; }
    public string? ImportedBy { get; set; }
}

/// <summary>The raw report as received, compressed, with its SHA-256. The same bytes are imported once.</summary>
public sealed class RawReport
{
    public long Id { get; set; }
    /// <summary>Lower-case hex SHA-256 of the uncompressed bytes.</summary>
    public required string Sha256 { get; set; }
    public required string FileName { get; set; }
    public required string Scanner { get; set; }
    public long SizeBytes { get; set; }
    /// <summary>"gzip" (or "purged" once retention removed the content).</summary>
    public required string ContentEncoding { get; set; }
    public byte[]? Content { get; set; }
    public DateTime ImportedAt { get; set; }
}

/// <summary>A package version, identified by its normalised purl (no qualifiers).</summary>
public sealed class Package
{
    public long Id { get; set; }
    /// <summary>Canonical purl of the identity (<see cref="Identity.PackageKey"/>), unique.</summary>
    public required string Key { get; set; }
    public required string Type { get; set; }
    public string? Namespace { get; set; }
    public required string Name { get; set; }
    public required string Version { get; set; }
    /// <summary>A purl as a scanner reported it (with qualifiers), for display and VEX subcomponents.</summary>
    public string? Purl { get; set; }
    public string? SourceName { get; set; }
    public string? SourceVersion { get; set; }
}

/// <summary>A package present in an artifact, with where it sits.</summary>
public sealed class ArtifactPackage
{
    public long ArtifactId { get; set; }
    public long PackageId { get; set; }
    public string? Layer { get; set; }
    public List<string> Paths { get; set; } = [];
    public DateTime FirstSeen { get; set; }
    public DateTime LastSeen { get; set; }
}

/// <summary>A group of ids that name the same vulnerability (OSV "aliases"). Findings point at the group.</summary>
public sealed class AliasGroup
{
    public long Id { get; set; }
    /// <summary>The CVE when the group has exactly one, else the stable rule in <see cref="Identity.VulnerabilityIds.Canonical"/>.</summary>
    public required string CanonicalId { get; set; }
}

/// <summary>Descriptive data about one vulnerability id, and the alias group it belongs to.</summary>
public sealed class Vulnerability
{
    public long Id { get; set; }
    public required string VulnId { get; set; }
    public long GroupId { get; set; }
    public string? Title { get; set; }
    public string? Description { get; set; }
    public List<string> Cwes { get; set; } = [];
    /// <summary>CVSS per source as JSON: [{"source","version","vector","score"}].</summary>
    public string? CvssJson { get; set; }
    /// <summary>Severity per source as JSON: {"nvd":"high",…}.</summary>
    public string? SeverityBySourceJson { get; set; }
    public List<string> References { get; set; } = [];
    public string? PrimaryUrl { get; set; }
    public DateTime? PublishedAt { get; set; }
    public DateTime? ModifiedAt { get; set; }
}

public enum AliasRelation
{
    /// <summary>Same vulnerability (symmetric, transitive).</summary>
    Alias = 0,
    /// <summary>The first id (a distro advisory) is upstream of / fixes the second (transitive, not symmetric).</summary>
    Upstream = 1,
}

/// <summary>Who said two ids are related. Groups are derived from these; nothing is merged without a recorded source.</summary>
public sealed class AliasAssertion
{
    public long Id { get; set; }
    public required string FromId { get; set; }
    public required string ToId { get; set; }
    public AliasRelation Relation { get; set; }
    /// <summary>grype-related, snyk-identifiers, trivy-vendor-ids, vex, osv, user…</summary>
    public required string Source { get; set; }
    /// <summary>False when applying it would have merged two different CVEs; kept for the record.</summary>
    public bool Applied { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>The deduplicated unit: one (artifact, package, vulnerability group), holding every scanner's observations.</summary>
public sealed class Finding
{
    public long Id { get; set; }
    public long ArtifactId { get; set; }
    public long PackageId { get; set; }
    public long GroupId { get; set; }
    /// <summary>Highest severity among active observations.</summary>
    public Severity Severity { get; set; }
    /// <summary>Union of fixed versions among active observations.</summary>
    public List<string> FixedVersions { get; set; } = [];
    /// <summary>Some scanner names a fixed version (stored for filtering).</summary>
    public bool FixAvailable { get; set; }
    /// <summary>True while at least one scanner still reports it for this artifact.</summary>
    public bool Active { get; set; }
    public DateTime FirstSeen { get; set; }
    public DateTime LastSeen { get; set; }
    /// <summary>Optimistic concurrency token.</summary>
    public long Version { get; set; }
    /// <summary>Sort key: the package's name (<see cref="Package.Name"/>), stored so sorting by package walks an index
    /// (docs/decisions/090-query-scale.md). Kept by the importer; never shown.</summary>
    public string PackageName { get; set; } = "";
    /// <summary>Sort key: the alias group's canonical id (<see cref="AliasGroup.CanonicalId"/>), kept by the importer
    /// when groups merge or their canonical id changes.</summary>
    public string VulnerabilityId { get; set; } = "";
    /// <summary>Filter key: one bit per scanner with an active observation (<see cref="ScannerKindNames.Bit"/>).</summary>
    public int ScannerMask { get; set; }
}

/// <summary>One scanner's claim, as it made it, that a package in an artifact has a vulnerability.</summary>
public sealed class Observation
{
    public long Id { get; set; }
    public long FindingId { get; set; }
    /// <summary>The scan that last reported it.</summary>
    public long ScanId { get; set; }
    public required string Scanner { get; set; }
    /// <summary>The scanner's own id (CVE, GHSA, SNYK-…, RHSA-…).</summary>
    public required string RawVulnId { get; set; }
    public string? RawPackageName { get; set; }
    public string? RawPackageVersion { get; set; }
    public string? Purl { get; set; }
    public Severity Severity { get; set; }
    public string? SeveritySource { get; set; }
    public string? CvssJson { get; set; }
    public List<string> FixedVersions { get; set; } = [];
    public FixState FixState { get; set; }
    /// <summary>Scanner's raw status word.</summary>
    public string? Status { get; set; }
    /// <summary>Locations and dependency paths as JSON.</summary>
    public string? PathsJson { get; set; }
    public bool Active { get; set; }
    public DateTime FirstSeen { get; set; }
    public DateTime LastSeen { get; set; }
}
