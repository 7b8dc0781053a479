using Triage.Core.Domain;
using Triage.Core.Vex;

namespace Triage.Data.Queries;

/// <summary>A finding as the CLI (`triage findings --format json`) and the API show it. Field names are a contract.</summary>
public sealed record FindingView
{
    public required long Id { get; init; }
    /// <summary>"repository:tag" (first tag) or "repository@digest".</summary>
    public required string Image { get; init; }
    public required string Repository { get; init; }
    public string? Digest { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];
    public required PackageView Package { get; init; }
    public required VulnerabilityView Vulnerability { get; init; }
    public required Severity Severity { get; init; }
    public IReadOnlyList<string> Scanners { get; init; } = [];
    public IReadOnlyList<string> FixedVersions { get; init; } = [];
    public bool Active { get; init; }
    public DateTime FirstSeen { get; init; }
    public DateTime LastSeen { get; init; }
    public IReadOnlyList<ObservationView> Observations { get; init; } = [];
    public long ArtifactId { get; init; }
    public long GroupId { get; init; }
    /// <summary>The VEX decision in force (scope precedence, then time; trusted and unexpired only); null when undecided.</summary>
    public FindingVex? Vex { get; init; }
}

/// <summary>The decision in force for a finding: `vex` in the findings JSON.</summary>
/// <param name="DecisionId">The stored decision, for history links and optimistic concurrency (<c>Seen</c>).</param>
/// <param name="Justification">The OpenVEX justification, else the CycloneDX one the author gave, as its spec word.</param>
/// <param name="Source">"user", or the format of the imported document ("openvex", "cyclonedx", "csaf").</param>
public sealed record FindingVex(long DecisionId, VexStatus Status, string? Justification, DecisionScopeKind Scope, string Source, string Author,
    DateTimeOffset Timestamp);

public sealed record PackageView(string Purl, string Type, string? Namespace, string Name, string Version, string? SourceName, string? SourceVersion);

public sealed record VulnerabilityView(string Id, IReadOnlyList<string> Aliases, IReadOnlyList<string> Upstream, string? Title);

public sealed record ObservationView(string Scanner, string RawId, Severity Severity, IReadOnlyList<string> FixedVersions, FixState FixState,
    string? Status, bool Active, string? SeveritySource, string? CvssJson, string? PathsJson, string? RawPackageName = null, string? RawPackageVersion = null);

/// <summary>Filters shared by the CLI, the API and the findings grid.</summary>
public sealed record FindingFilter
{
    /// <summary>An image reference: repository (every digest), repository:tag, or repository@digest.</summary>
    public string? Image { get; init; }
    public Severity? MinSeverity { get; init; }
    public IReadOnlyList<Severity>? Severities { get; init; }
    public string? Scanner { get; init; }
    /// <summary>Substring of the package name or purl.</summary>
    public string? Package { get; init; }
    /// <summary>A vulnerability id or any alias of it.</summary>
    public string? Vulnerability { get; init; }
    public bool? FixAvailable { get; init; }
    /// <summary>Include findings no scanner reports any more.</summary>
    public bool IncludeInactive { get; init; }
    public long? TeamId { get; init; }
    public IReadOnlyCollection<long>? RepositoryIds { get; init; }
}

public enum FindingSort
{
    Severity,
    Vulnerability,
    Package,
    Image,
    FirstSeen,
    LastSeen,
}
