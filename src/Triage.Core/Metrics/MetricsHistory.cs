using Triage.Core.Domain;
using Triage.Core.Ranking;
using Triage.Core.Runtime.Verdicts;
using Triage.Core.Vex;

namespace Triage.Core.Metrics;

/// <summary>One image (digest) of a repository: when it was scanned, and what it contains.</summary>
/// <param name="ScanTimes">Every import of a report about it, ascending; never empty (an image is seen when first scanned).</param>
/// <param name="Packages">Its package inventory (what scanners listed); findings' own packages count as present anyway.</param>
public sealed record DigestHistory(long ArtifactId, long RepositoryId, string? Digest, IReadOnlyList<DateTime> ScanTimes, int PackageCount, long? SizeBytes,
    IReadOnlyList<PackageVersion> Packages)
{
    public DateTime FirstScan => ScanTimes[0];

    /// <summary>The latest scan at or before <paramref name="t"/>, or null when it had not been scanned yet.</summary>
    public DateTime? LastScanAtOrBefore(DateTime t)
    {
        int lo = 0, hi = ScanTimes.Count - 1, found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >> 1;
            if (ScanTimes[mid] <= t) { found = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        return found < 0 ? null : ScanTimes[found];
    }
}

/// <summary>A value a finding had, and when: from <see cref="Since"/> (inclusive) until <see cref="Until"/> (exclusive; null
/// while it still holds).</summary>
public readonly record struct Held<T>(T Value, DateTime Since, DateTime? Until) where T : struct
{
    public bool Covers(DateTime t) => Since <= t && (Until is not { } until || t < until);
}

/// <summary>
/// A finding over time: active from <see cref="FirstSeen"/> until <see cref="ClosedAt"/> (the import that retired its
/// last observation; null while a scanner still reports it), with what ranking, runtime evidence and the KEV catalog say
/// about it and since when (see <see cref="WeeklyCalculator"/> for what "as of a week" makes of each).
/// </summary>
public sealed record FindingHistory(long FindingId, long ArtifactId, long GroupId, string VulnerabilityId, PackageName Package, string Version,
    Severity Severity, bool FixAvailable, DateTime FirstSeen, DateTime? ClosedAt)
{
    /// <summary>The priorities it was scored at, each over the period it held (ADR 108): the stored one since it took effect,
    /// and the ones it replaced. Outside them it was not scored, or scored before Triage recorded the change: unknown.</summary>
    public IReadOnlyList<Held<SsvcPriority>> Priorities { get; init; } = [];
    /// <summary>Its runtime verdicts, each over the period it held (the stored one and the ones it replaced or that were
    /// withdrawn with their evidence). Outside them no evidence applied to its image, except before
    /// <see cref="MetricsHistory.VerdictsRecordedSince"/> (see <see cref="VerdictAsOf"/>).</summary>
    public IReadOnlyList<Held<ReachabilityVerdict>> Verdicts { get; init; } = [];
    /// <summary>When CISA added the first of the alias group's CVEs to the KEV catalog; null when none is listed.</summary>
    public DateTime? KevListedAt { get; init; }

    /// <summary>The priority in force at <paramref name="t"/>, or null when it is not known (not scored then).</summary>
    public SsvcPriority? PriorityAsOf(DateTime t)
    {
        foreach (var p in Priorities)
            if (p.Covers(t)) return p.Value;
        return null;
    }

    /// <summary>Whether the verdict in force at <paramref name="t"/> is known, and which (null: no evidence applied). Every
    /// change since <paramref name="recordedSince"/> is recorded, so a moment no verdict covers had none. Before it only
    /// the verdicts stored then are known, each from when it was computed: one computed after <paramref name="t"/> hides
    /// whatever it replaced.</summary>
    public bool VerdictAsOf(DateTime t, DateTime recordedSince, out ReachabilityVerdict? verdict)
    {
        verdict = null;
        foreach (var v in Verdicts)
            if (v.Covers(t))
            {
                verdict = v.Value;
                return true;
            }
        return t >= recordedSince || !Verdicts.Any(v => v.Since > t);
    }

    public bool KevListedAsOf(DateTime t) => KevListedAt <= t;

    public bool ActiveAt(DateTime t) => FirstSeen <= t && (ClosedAt is null || t < ClosedAt);

    /// <summary>The finding on a comparison side, suppressed when the decision in force is not_affected or fixed.</summary>
    public SideFinding ToSide(VexStatus? decision) =>
        new(FindingId, GroupId, VulnerabilityId, Package, Version, Severity, decision is VexStatus.NotAffected or VexStatus.Fixed);
}

/// <summary>A problem open at the ledger's week start (see <see cref="MetricsProblem"/>).</summary>
public sealed record OpenProblem(long RepositoryId, long GroupId, string VulnerabilityId, PackageName Package, Severity Severity, DateTime OpenedAt);

/// <summary>The effective VEX status of a finding as of a moment (null: undecided), from decisions recorded by then.</summary>
public delegate VexStatus? DecisionLookup(FindingHistory finding, DateTime asOf);

/// <summary>Everything the weekly computation reads, gathered by the data layer.</summary>
public sealed class MetricsHistory
{
    public required IReadOnlyList<LineageRepository> Repositories { get; init; }
    public required IReadOnlyList<DigestHistory> Digests { get; init; }
    public required IReadOnlyList<FindingHistory> Findings { get; init; }
    /// <summary>The problems open at the start of the first week to compute.</summary>
    public IReadOnlyList<OpenProblem> Ledger { get; init; } = [];
    public IReadOnlyDictionary<long, string> TeamNames { get; init; } = new Dictionary<long, string>();
    /// <summary>Null when no decision is stored: every finding is undecided.</summary>
    public DecisionLookup? Decisions { get; init; }
    /// <summary>Whether an image runs in production at a moment; null until runtime inventory is stored.</summary>
    public Func<DigestHistory, DateTime, bool>? RunningInProduction { get; init; }
    // From when each kind of data exists (null: never stored). A week whose as-of instant is earlier has the column null,
    // not zero: Triage did not know then.
    /// <summary>The first finding score ever stored (the first ranking policy recorded).</summary>
    public DateTime? PrioritySince { get; init; }
    /// <summary>The first runtime evidence about images (file profiles, inventories of files, code reachability).</summary>
    public DateTime? ReachabilitySince { get; init; }
    /// <summary>From when every change of a finding's verdict is recorded (ADR 108): <see cref="DateTime.MinValue"/> unless
    /// verdicts were stored before Triage recorded their changes.</summary>
    public DateTime VerdictsRecordedSince { get; init; } = DateTime.MinValue;
    /// <summary>Stored KEV listings carry CISA's own dates, so once a catalog is stored this is <see cref="DateTime.MinValue"/>.</summary>
    public DateTime? KevSince { get; init; }
    /// <summary>The first deployment inventory (its snapshot time).</summary>
    public DateTime? ProductionSince { get; init; }

    /// <summary>The side a repository's lineage shows at a moment: its current images, their findings active then, and
    /// the decisions in force then.</summary>
    public ComparisonSide SideAt(long repositoryId, DateTime t)
    {
        var lineage = Lineage.Build(Repositories).FirstOrDefault(l => l.Repositories.Any(r => r.Id == repositoryId))
            ?? throw new ArgumentException($"repository {repositoryId} is not in the history");
        var ids = lineage.Repositories.Select(r => r.Id).ToHashSet();
        var digests = Digests.Where(d => ids.Contains(d.RepositoryId)).OrderBy(d => d.FirstScan).ThenBy(d => d.ArtifactId).ToList();
        var findings = Findings.ToLookup(f => f.ArtifactId);
        var side = new ComparisonSide();
        foreach (var d in CurrentImages.At(digests, t, RunningInProduction))
            side.AddImage(d.Packages, findings[d.ArtifactId].Where(f => f.ActiveAt(t)).Select(f => f.ToSide(Decisions?.Invoke(f, t))));
        return side;
    }

    /// <summary>The images <see cref="SideAt"/> reads.</summary>
    public IReadOnlyList<DigestHistory> CurrentAt(long repositoryId, DateTime t)
    {
        var lineage = Lineage.Build(Repositories).First(l => l.Repositories.Any(r => r.Id == repositoryId));
        var ids = lineage.Repositories.Select(r => r.Id).ToHashSet();
        return CurrentImages.At(Digests.Where(d => ids.Contains(d.RepositoryId)).OrderBy(d => d.FirstScan).ThenBy(d => d.ArtifactId).ToList(), t, RunningInProduction);
    }
}

/// <summary>The snapshots of the computed weeks, and the problem ledger as of the start of <see cref="LedgerWeek"/>.</summary>
public sealed record WeeklyComputation(IReadOnlyList<WeeklySnapshot> Snapshots, IsoWeek LedgerWeek, IReadOnlyList<OpenProblem> Ledger);

/// <summary>
/// Which images of a lineage count at a moment: an image is current from its first scan for as long as it has been scanned
/// since the lineage's newest image appeared. A rebuild supersedes the images nobody scans any more; images still scanned
/// (parallel tags, deployed old versions) stay current; an image running in production is current.
/// </summary>
public static class CurrentImages
{
    /// <param name="digests">The lineage's images, ordered by first scan.</param>
    public static List<DigestHistory> At(IReadOnlyList<DigestHistory> digests, DateTime t, Func<DigestHistory, DateTime, bool>? runningInProduction = null)
    {
        DateTime? newest = null;
        foreach (var d in digests)
        {
            if (d.FirstScan > t) break;
            newest = d.FirstScan;
        }
        var result = new List<DigestHistory>();
        if (newest is null) return result;
        foreach (var d in digests)
        {
            if (d.FirstScan > t) break;
            if (d.LastScanAtOrBefore(t) >= newest || runningInProduction?.Invoke(d, t) == true) result.Add(d);
        }
        return result;
    }
}
