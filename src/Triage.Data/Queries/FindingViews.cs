using Triage.Core.Domain;
using Triage.Core.Ranking;
using Triage.Core.Runtime.Verdicts;
using Triage.Data.Runtime;
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
    /// <summary>Score, priority and why; runtime verdict, presence, EPSS and KEV (docs/decisions/033-runtime-persistence-and-scores.md).</summary>
    public FindingRiskView? Risk { get; init; }
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

/// <summary>A position in the severity order (most severe first, then id): the last finding a page gave. Its text,
/// "severity.id" (e.g. "4.1234"), is the API's <c>next</c> and <c>after</c>; it stays valid while findings come and go.</summary>
public readonly record struct FindingCursor(Severity Severity, long Id)
{
    public static FindingCursor Of(FindingView f) => new(f.Severity, f.Id);

    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{(int)Severity}.{Id}");

    public static bool TryParse(string? text, out FindingCursor cursor)
    {
        cursor = default;
        if (text is null) return false;
        var dot = text.IndexOf('.');
        if (dot <= 0) return false;
        if (!int.TryParse(text.AsSpan(0, dot), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var s)
            || !Enum.IsDefined((Severity)s)) return false;
        if (!long.TryParse(text.AsSpan(dot + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)) return false;
        cursor = new FindingCursor((Severity)s, id);
        return true;
    }
}

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
    /// <summary>Only findings with one of these stored priorities.</summary>
    public IReadOnlyList<SsvcPriority>? Priorities { get; init; }
    /// <summary>Only findings with one of these runtime verdicts (Unknown includes findings never judged).</summary>
    public IReadOnlyList<ReachabilityVerdict>? Reachability { get; init; }
}

public enum FindingSort
{
    Severity,
    Vulnerability,
    Package,
    Image,
    FirstSeen,
    LastSeen,
    /// <summary>Risk rank: score, priority, KEV, EPSS, impact (the stored order of docs/decisions/032-ranking-policy.md).</summary>
    Priority,
}
