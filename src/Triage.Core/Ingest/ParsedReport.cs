using Triage.Core.Domain;

namespace Triage.Core.Ingest;

/// <summary>
/// What a scanner report says, in scanner-neutral internal records (wire types are not the domain, STYLE.md habit 4).
/// Parsers fill it through <see cref="ParsedTarget"/>; <see cref="Identity"/> turns it into findings.
/// Memory holds only what will be stored: one record per vulnerability, package and (vulnerability, package) claim.
/// </summary>
public sealed class ParsedReport
{
    public ParsedReport(ScannerKind scanner) => Scanner = scanner;

    public ScannerKind Scanner { get; }
    public string? ScannerVersion { get; set; }
    /// <summary>Vulnerability database information when the report gives it (free text, e.g. "grype db v6 built 2026-03-30").</summary>
    public string? DatabaseInfo { get; set; }
    /// <summary>When the scanner says it produced the report.</summary>
    public DateTimeOffset? CreatedAt { get; set; }
    /// <summary>Images, file systems or projects the report covers; most reports have exactly one.</summary>
    public List<ParsedTarget> Targets { get; } = [];
    /// <summary>Vulnerability records by the scanner's own id, merged when a report repeats them.</summary>
    public Dictionary<string, ParsedVulnerability> Vulnerabilities { get; } = new(StringComparer.Ordinal);
    /// <summary>Sections recognised but not imported (misconfigurations, secrets, licenses...), with counts.</summary>
    public Dictionary<string, int> Skipped { get; } = new(StringComparer.Ordinal);
    /// <summary>Non-fatal remarks about the report (records without an id, unknown classes...).</summary>
    public List<string> Warnings { get; } = [];

    public int ObservationCount => Targets.Sum(t => t.Observations.Count);

    public ParsedTarget AddTarget(ParsedTarget target)
    {
        Targets.Add(target);
        return target;
    }

    public void Skip(string section, int count = 1)
    {
        if (count <= 0) return;
        Skipped[section] = Skipped.TryGetValue(section, out var n) ? n + count : count;
    }

    /// <summary>Adds a vulnerability record or enriches the one already seen with fields it lacked.</summary>
    public void AddVulnerability(ParsedVulnerability v)
    {
        if (Vulnerabilities.TryGetValue(v.Id, out var existing)) existing.MergeFrom(v);
        else Vulnerabilities.Add(v.Id, v);
    }
}

/// <summary>One scanned thing: a container image, a file system, a repository, or one workload's image in a cluster report.</summary>
public sealed class ParsedTarget
{
    /// <summary>Image reference as the report spells it ("nginx:latest", "alpine@sha256:…"), or the scanned path for file systems.</summary>
    public string? Name { get; set; }
    /// <summary>container_image, filesystem, repository, k8s_workload, project…</summary>
    public string Kind { get; set; } = "container_image";
    /// <summary>Repository digests as "repo@sha256:hex" (Trivy RepoDigests, Grype repoDigests).</summary>
    public List<string> RepoDigests { get; } = [];
    /// <summary>The image config digest ("sha256:hex"): Trivy ImageID, Grype imageID.</summary>
    public string? ImageId { get; set; }
    /// <summary>Tags as "repo:tag" or bare tags.</summary>
    public List<string> Tags { get; } = [];
    public string? OsFamily { get; set; }
    public string? OsName { get; set; }
    public string? BaseImage { get; set; }
    public long? SizeBytes { get; set; }
    /// <summary>Kubernetes context for cluster reports (namespace, kind/name, container).</summary>
    public string? Namespace { get; set; }
    public string? Workload { get; set; }
    public string? Container { get; set; }
    /// <summary>Every workload of a cluster report that runs this image, as "namespace/Kind/name" (the first is also in
    /// <see cref="Namespace"/>/<see cref="Workload"/>); one image deployed twice stays one target.</summary>
    public List<string> Deployments { get; } = [];
    /// <summary>Digest of the image manifest ("sha256:hex", Grype manifestDigest): names a local image that has no repo digest.</summary>
    public string? ManifestDigest { get; set; }
    /// <summary>Manifest or lock file a project was read from (Snyk displayTargetFile/targetFile): several Snyk projects share one name.</summary>
    public string? ProjectFile { get; set; }

    /// <summary>Packages by a parser-local key (normally the purl or type/name@version).</summary>
    public Dictionary<string, ParsedPackage> Packages { get; } = new(StringComparer.Ordinal);
    /// <summary>Claims by (scanner vulnerability id, parser-local package key); repeats collapse here.</summary>
    public Dictionary<(string VulnId, string PackageKey), ParsedObservation> Observations { get; } = new();

    /// <summary>Adds a package or returns the key of the equal one already present, merging paths and files.</summary>
    public string AddPackage(ParsedPackage p)
    {
        var key = p.LocalKey;
        if (Packages.TryGetValue(key, out var existing)) existing.MergeFrom(p);
        else Packages.Add(key, p);
        return key;
    }

    /// <summary>Adds a claim; a repeat of the same (vulnerability, package) merges into the first (Snyk repeats an issue once per dependency path).</summary>
    public void AddObservation(ParsedObservation o)
    {
        var key = (o.VulnerabilityId, o.PackageKey);
        if (Observations.TryGetValue(key, out var existing)) existing.MergeFrom(o);
        else Observations.Add(key, o);
    }
}

/// <summary>A package as the scanner names it. Identity normalisation happens in <c>Identity.PackageIdentity</c>.</summary>
public sealed class ParsedPackage
{
    /// <summary>purl as reported, when the scanner gives one.</summary>
    public string? Purl { get; set; }
    /// <summary>purl type (deb, rpm, apk, npm, pypi, maven, golang, nuget, gem, cargo, composer…), or the scanner's package type when there is no purl.</summary>
    public required string Type { get; set; }
    public string? Namespace { get; set; }
    public required string Name { get; set; }
    public required string Version { get; set; }
    /// <summary>Source package for OS packages (Trivy SrcName, Grype upstreams, Snyk "source/binary").</summary>
    public string? SourceName { get; set; }
    public string? SourceVersion { get; set; }
    /// <summary>Layer digest (Trivy Layer.DiffID) when known.</summary>
    public string? Layer { get; set; }
    /// <summary>Locations in the image (Grype locations, Trivy PkgPath / Target for lockfiles).</summary>
    public List<string> Paths => _paths ??= [];
    /// <summary>Files owned by the package (Trivy --list-all-pkgs InstalledFiles); used by runtime evidence.</summary>
    public List<string> InstalledFiles => _installedFiles ??= [];
    /// <summary>purl qualifiers (distro, arch, epoch…): kept as attributes, not identity.</summary>
    public Dictionary<string, string> Qualifiers => _qualifiers ??= new(StringComparer.Ordinal);

    // Collections are created on first use: a large report holds tens of thousands of these records, most with empty
    // lists, and every avoided object is one the garbage collector does not have to move (docs/decisions/010).
    private List<string>? _paths;
    private List<string>? _installedFiles;
    private Dictionary<string, string>? _qualifiers;

    /// <summary>Parser-local key used to merge repeats inside one report.</summary>
    public string LocalKey => $"{Type}/{Namespace}/{Name}@{Version}";

    public void MergeFrom(ParsedPackage other)
    {
        Purl ??= other.Purl;
        SourceName ??= other.SourceName;
        SourceVersion ??= other.SourceVersion;
        Layer ??= other.Layer;
        if (other._paths is not null) foreach (var p in other._paths) if (!Paths.Contains(p)) Paths.Add(p);
        if (other._installedFiles is not null) foreach (var f in other._installedFiles) if (!InstalledFiles.Contains(f)) InstalledFiles.Add(f);
        if (other._qualifiers is not null) foreach (var (k, v) in other._qualifiers) Qualifiers.TryAdd(k, v);
    }
}

/// <summary>One scanner's claim that a package has a vulnerability.</summary>
public sealed class ParsedObservation
{
    /// <summary>The scanner's own id for the record (CVE-…, GHSA-…, SNYK-…, RHSA-…, DSA-…).</summary>
    public required string VulnerabilityId { get; init; }
    /// <summary>Key of the package in <see cref="ParsedTarget.Packages"/>.</summary>
    public required string PackageKey { get; init; }
    public Severity Severity { get; set; }
    /// <summary>Where the severity comes from (nvd, debian, ghsa, snyk…).</summary>
    public string? SeveritySource { get; set; }
    public List<CvssScore> Cvss => _cvss ??= [];
    public List<string> FixedVersions => _fixedVersions ??= [];
    public FixState FixState { get; set; }
    /// <summary>The scanner's raw status word (Trivy Status, Grype fix.state), kept verbatim.</summary>
    public string? Status { get; set; }
    /// <summary>Other ids this record asserts are the same vulnerability (Grype relatedVulnerabilities, Snyk identifiers.CVE/GHSA, Trivy VulnerabilityID vs. GHSA in references not included).</summary>
    public List<string> Aliases => _aliases ??= [];
    /// <summary>Distro/vendor advisories that fix or describe it (Trivy VendorIDs: DSA, DLA, RHSA, USN, ALAS…). Upstream relations, never aliases.</summary>
    public List<string> Upstream => _upstream ??= [];
    /// <summary>Dependency paths ("a@1 > b@2 > c@3"), kept for evidence (Snyk "from").</summary>
    public List<string> DependencyPaths => _dependencyPaths ??= [];

    // Created on first use (see ParsedPackage).
    private List<CvssScore>? _cvss;
    private List<string>? _fixedVersions;
    private List<string>? _aliases;
    private List<string>? _upstream;
    private List<string>? _dependencyPaths;
    /// <summary>Trivy's per-finding Fingerprint when present.</summary>
    public string? Fingerprint { get; set; }
    /// <summary>What kind of issue the scanner lists: Snyk puts licence issues in its vulnerabilities array, and they are claims on a package too.</summary>
    public ObservationKind Kind { get; set; }
    /// <summary>The scanner's own risk figure for this claim (Grype risk 0–100, Snyk riskScore), verbatim.</summary>
    public double? RiskScore { get; set; }
    /// <summary>Snyk isUpgradable / isPatchable: a fix reachable by upgrading a direct dependency, or by a Snyk patch.</summary>
    public bool? IsUpgradable { get; set; }
    public bool? IsPatchable { get; set; }
    /// <summary>The scanner's reachability verdict word when it gives one (Snyk "reachable", "not-reachable"…), verbatim.</summary>
    public string? Reachability { get; set; }

    public void MergeFrom(ParsedObservation other)
    {
        if (other.Severity > Severity) { Severity = other.Severity; SeveritySource = other.SeveritySource ?? SeveritySource; }
        if (other._cvss is not null) foreach (var c in other._cvss) if (!Cvss.Contains(c)) Cvss.Add(c);
        if (other._fixedVersions is not null) foreach (var v in other._fixedVersions) if (!FixedVersions.Contains(v)) FixedVersions.Add(v);
        if (FixState == FixState.Unknown) FixState = other.FixState;
        Status ??= other.Status;
        if (other._aliases is not null) foreach (var a in other._aliases) if (!Aliases.Contains(a)) Aliases.Add(a);
        if (other._upstream is not null) foreach (var u in other._upstream) if (!Upstream.Contains(u)) Upstream.Add(u);
        if (other._dependencyPaths is not null) foreach (var p in other._dependencyPaths) if (!DependencyPaths.Contains(p)) DependencyPaths.Add(p);
        Fingerprint ??= other.Fingerprint;
        RiskScore ??= other.RiskScore;
        IsUpgradable ??= other.IsUpgradable;
        IsPatchable ??= other.IsPatchable;
        Reachability ??= other.Reachability;
    }
}

/// <summary>The kind of issue an observation records.</summary>
public enum ObservationKind
{
    Vulnerability = 0,
    /// <summary>A licence policy issue (Snyk "type": "license"), not a security vulnerability.</summary>
    License = 1,
}

public static class ObservationKindNames
{
    public static string ToWire(this ObservationKind k) => k switch
    {
        ObservationKind.Vulnerability => "vulnerability",
        ObservationKind.License => "license",
    };
}

/// <summary>A CVSS assessment from one source.</summary>
public sealed record CvssScore(string Source, string Version, string? Vector, double? Score);

/// <summary>Descriptive data about a vulnerability id, stored once per id.</summary>
public sealed class ParsedVulnerability
{
    public required string Id { get; init; }
    public string? Title { get; set; }
    public string? Description { get; set; }
    public List<string> Cwes => _cwes ??= [];
    public List<CvssScore> Cvss => _cvss ??= [];
    /// <summary>Severity per source (nvd, debian, ghsa, redhat…).</summary>
    public Dictionary<string, Severity> SeverityBySource => _severityBySource ??= new(StringComparer.Ordinal);
    public List<string> References => _references ??= [];

    // Created on first use (see ParsedPackage).
    private List<string>? _cwes;
    private List<CvssScore>? _cvss;
    private Dictionary<string, Severity>? _severityBySource;
    private List<string>? _references;
    public string? PrimaryUrl { get; set; }
    public string? DataSource { get; set; }
    public DateTimeOffset? PublishedAt { get; set; }
    public DateTimeOffset? ModifiedAt { get; set; }
    /// <summary>EPSS as the scanner reported it (Grype, Snyk), with its date.</summary>
    public double? EpssScore { get; set; }
    public double? EpssPercentile { get; set; }
    public DateOnly? EpssDate { get; set; }
    /// <summary>CISA KEV listing as the scanner reported it (Grype knownExploited).</summary>
    public bool? KnownExploited { get; set; }

    public void MergeFrom(ParsedVulnerability o)
    {
        Title ??= o.Title;
        if (string.IsNullOrEmpty(Description) || (o.Description?.Length ?? 0) > Description.Length) Description = o.Description ?? Description;
        if (o._cwes is not null) foreach (var c in o._cwes) if (!Cwes.Contains(c)) Cwes.Add(c);
        if (o._cvss is not null) foreach (var c in o._cvss) if (!Cvss.Contains(c)) Cvss.Add(c);
        if (o._severityBySource is not null) foreach (var (k, v) in o._severityBySource) SeverityBySource.TryAdd(k, v);
        if (o._references is not null) foreach (var r in o._references) if (!References.Contains(r)) References.Add(r);
        PrimaryUrl ??= o.PrimaryUrl;
        DataSource ??= o.DataSource;
        PublishedAt ??= o.PublishedAt;
        ModifiedAt ??= o.ModifiedAt;
        EpssScore ??= o.EpssScore;
        EpssPercentile ??= o.EpssPercentile;
        EpssDate ??= o.EpssDate;
        KnownExploited ??= o.KnownExploited;
    }
}
