using Triage.Core.Metrics;

namespace Triage.Core.Domain;

// Weekly metrics (docs/decisions/060-reduction-and-weekly-metrics.md). Snapshots are history: they hold names, not foreign
// keys, so they stay when repositories, scans or raw reports are purged.

/// <summary>What a snapshot row counts.</summary>
public enum SnapshotScope
{
    /// <summary>Every repository.</summary>
    All = 0,
    /// <summary>The repositories of one team (<see cref="WeeklySnapshot.ScopeId"/> is the team id).</summary>
    Team = 1,
    /// <summary>One repository (<see cref="WeeklySnapshot.ScopeId"/> is the repository id).</summary>
    Repository = 2,
    /// <summary>The repositories no team owns (everyone sees them).</summary>
    Unowned = 3,
}

public static class SnapshotScopeNames
{
    public static string ToWire(this SnapshotScope s) => s switch
    {
        SnapshotScope.All => "all",
        SnapshotScope.Team => "team",
        SnapshotScope.Repository => "repository",
        SnapshotScope.Unowned => "unowned",
    };
}

/// <summary>
/// One ISO week of one scope, as of the end of the week (or as of the computation for the week in progress). Counts are
/// of findings on the scope's current images (<see cref="CurrentImages"/>). Columns for data Triage did not hold as of
/// the row's instant (priority, reachability, KEV, production; see <see cref="WeeklyCalculator"/>) are null, not zero. Everything is a count or a sum, so rows add up:
/// a team is the sum of its repositories, and any set of teams the sum of theirs.
/// </summary>
public sealed class WeeklySnapshot
{
    public long Id { get; set; }
    public int Year { get; set; }
    public int Week { get; set; }
    public SnapshotScope Scope { get; set; }
    /// <summary>Team or repository id; 0 for <see cref="SnapshotScope.All"/> and <see cref="SnapshotScope.Unowned"/>.</summary>
    public long ScopeId { get; set; }
    /// <summary>The repository or team name when computed, kept when the repository is gone.</summary>
    public required string ScopeName { get; set; }
    /// <summary>The owning team of a repository row when computed.</summary>
    public long? TeamId { get; set; }
    /// <summary>False for the week in progress: recomputed by every run until the week is over.</summary>
    public bool Complete { get; set; }
    /// <summary>The instant the counts describe: the last instant of the week, or the computation time.</summary>
    public DateTime AsOf { get; set; }
    public DateTime ComputedAt { get; set; }

    public int Images { get; set; }
    public int? ImagesInProduction { get; set; }
    /// <summary>Packages of the current images (an image's package count, summed).</summary>
    public int Packages { get; set; }
    /// <summary>Sum of the sizes of the current images that report one; null when none does.</summary>
    public long? SizeBytes { get; set; }

    /// <summary>Findings a scanner reports on the current images, open or suppressed by a decision.</summary>
    public int ActiveFindings { get; set; }
    public int OpenCritical { get; set; }
    public int OpenHigh { get; set; }
    public int OpenMedium { get; set; }
    public int OpenLow { get; set; }
    public int OpenUnknown { get; set; }
    /// <summary>Open findings with a fixed version known.</summary>
    public int OpenFixable { get; set; }
    public int? OpenAct { get; set; }
    public int? OpenAttend { get; set; }
    public int? OpenTrackStar { get; set; }
    public int? OpenTrack { get; set; }
    /// <summary>Open findings whose vulnerable code is called (runtime or code evidence).</summary>
    public int? OpenReachable { get; set; }
    /// <summary>Open findings whose package files were loaded at runtime.</summary>
    public int? OpenLoaded { get; set; }
    public int? OpenKev { get; set; }
    /// <summary>Active findings with a decision in force: not_affected, affected or fixed (under_investigation is not decided).</summary>
    public int Decided { get; set; }
    public int NotAffected { get; set; }

    public int SlaCritical { get; set; }
    public int SlaHigh { get; set; }
    public int SlaMedium { get; set; }
    public int SlaLow { get; set; }
    public int SlaUnknown { get; set; }

    public int RemediatedCritical { get; set; }
    public int RemediatedHigh { get; set; }
    public int RemediatedMedium { get; set; }
    public int RemediatedLow { get; set; }
    public int RemediatedUnknown { get; set; }
    public double RemediationDaysCritical { get; set; }
    public double RemediationDaysHigh { get; set; }
    public double RemediationDaysMedium { get; set; }
    public double RemediationDaysLow { get; set; }
    public double RemediationDaysUnknown { get; set; }

    // The week's change, from the end of the previous week (OpenAtStart) to this row's open total.
    public int OpenAtStart { get; set; }
    public int RemovedWithPackage { get; set; }
    public int FixedByUpgrade { get; set; }
    /// <summary>Suppressed minus lifted (see <see cref="DecisionsLifted"/>).</summary>
    public int SuppressedByDecision { get; set; }
    /// <summary>Disclosed minus withdrawn (see <see cref="Withdrawn"/>).</summary>
    public int NewlyDisclosed { get; set; }
    public int IntroducedByPackage { get; set; }
    public int DecisionsLifted { get; set; }
    public int Withdrawn { get; set; }

    public IsoWeek IsoWeek => new(Year, Week);

    public int OpenTotal => OpenCritical + OpenHigh + OpenMedium + OpenLow + OpenUnknown;

    public int SlaBreachesTotal => SlaCritical + SlaHigh + SlaMedium + SlaLow + SlaUnknown;

    /// <summary>Decided share of the active findings, or null when there are none.</summary>
    public double? ShareDecided => ActiveFindings == 0 ? null : (double)Decided / ActiveFindings;

    public double? ShareNotAffected => ActiveFindings == 0 ? null : (double)NotAffected / ActiveFindings;

    public int Open(Severity s) => s switch
    {
        Severity.Critical => OpenCritical,
        Severity.High => OpenHigh,
        Severity.Medium => OpenMedium,
        Severity.Low => OpenLow,
        Severity.Unknown => OpenUnknown,
    };

    public int SlaBreaches(Severity s) => s switch
    {
        Severity.Critical => SlaCritical,
        Severity.High => SlaHigh,
        Severity.Medium => SlaMedium,
        Severity.Low => SlaLow,
        Severity.Unknown => SlaUnknown,
    };

    public int Remediated(Severity s) => s switch
    {
        Severity.Critical => RemediatedCritical,
        Severity.High => RemediatedHigh,
        Severity.Medium => RemediatedMedium,
        Severity.Low => RemediatedLow,
        Severity.Unknown => RemediatedUnknown,
    };

    public double RemediationDays(Severity s) => s switch
    {
        Severity.Critical => RemediationDaysCritical,
        Severity.High => RemediationDaysHigh,
        Severity.Medium => RemediationDaysMedium,
        Severity.Low => RemediationDaysLow,
        Severity.Unknown => RemediationDaysUnknown,
    };

    /// <summary>Mean time to remediate, in days, of the problems remediated this week; null when none was.</summary>
    public double? MttrDays(Severity s) => Remediated(s) == 0 ? null : RemediationDays(s) / Remediated(s);

    /// <summary>The week's change as the attribution's counts (before = open at the end of the previous week).</summary>
    public AttributionCounts WeekChange => new(OpenAtStart, OpenTotal, RemovedWithPackage, FixedByUpgrade, SuppressedByDecision + DecisionsLifted,
        DecisionsLifted, NewlyDisclosed + Withdrawn, Withdrawn, IntroducedByPackage);

    public void AddOpen(Severity s, int n = 1)
    {
        switch (s)
        {
            case Severity.Critical: OpenCritical += n; break;
            case Severity.High: OpenHigh += n; break;
            case Severity.Medium: OpenMedium += n; break;
            case Severity.Low: OpenLow += n; break;
            case Severity.Unknown: OpenUnknown += n; break;
        }
    }

    public void AddSlaBreach(Severity s, int n = 1)
    {
        switch (s)
        {
            case Severity.Critical: SlaCritical += n; break;
            case Severity.High: SlaHigh += n; break;
            case Severity.Medium: SlaMedium += n; break;
            case Severity.Low: SlaLow += n; break;
            case Severity.Unknown: SlaUnknown += n; break;
        }
    }

    public void AddRemediated(Severity s, int count, double days)
    {
        switch (s)
        {
            case Severity.Critical: RemediatedCritical += count; RemediationDaysCritical += days; break;
            case Severity.High: RemediatedHigh += count; RemediationDaysHigh += days; break;
            case Severity.Medium: RemediatedMedium += count; RemediationDaysMedium += days; break;
            case Severity.Low: RemediatedLow += count; RemediationDaysLow += days; break;
            case Severity.Unknown: RemediatedUnknown += count; RemediationDaysUnknown += days; break;
        }
    }

    /// <summary>Sets the week's change from an attribution (its after must be this row's open total).</summary>
    public void SetWeekChange(AttributionCounts c)
    {
        if (c.After != OpenTotal) throw new InvalidOperationException($"attribution ends at {c.After} open findings, the snapshot counts {OpenTotal}");
        OpenAtStart = c.Before;
        RemovedWithPackage = c.RemovedWithPackage;
        FixedByUpgrade = c.FixedByUpgrade;
        SuppressedByDecision = c.SuppressedByDecision;
        NewlyDisclosed = c.NewlyDisclosed;
        IntroducedByPackage = c.IntroducedByPackage;
        DecisionsLifted = c.Lifted;
        Withdrawn = c.Withdrawn;
    }

    /// <summary>Adds another row's counts into this one (a team from its repositories, a reader's view from its teams).
    /// A nullable count is known in the sum only when every added row knows it: a sum that skipped an unknown part would
    /// read as a fall. (The size is a sum over the images that report one, so it adds what is known.)</summary>
    public void Add(WeeklySnapshot o)
    {
        var first = _blank;
        _blank = false;
        int? Sum(int? a, int? b) => first ? b : a is null || b is null ? null : a + b;
        Images += o.Images;
        ImagesInProduction = Sum(ImagesInProduction, o.ImagesInProduction);
        Packages += o.Packages;
        SizeBytes = o.SizeBytes is null ? SizeBytes : (SizeBytes ?? 0) + o.SizeBytes;
        ActiveFindings += o.ActiveFindings;
        foreach (var s in Enum.GetValues<Severity>())
        {
            AddOpen(s, o.Open(s));
            AddSlaBreach(s, o.SlaBreaches(s));
            AddRemediated(s, o.Remediated(s), o.RemediationDays(s));
        }
        OpenFixable += o.OpenFixable;
        OpenAct = Sum(OpenAct, o.OpenAct);
        OpenAttend = Sum(OpenAttend, o.OpenAttend);
        OpenTrackStar = Sum(OpenTrackStar, o.OpenTrackStar);
        OpenTrack = Sum(OpenTrack, o.OpenTrack);
        OpenReachable = Sum(OpenReachable, o.OpenReachable);
        OpenLoaded = Sum(OpenLoaded, o.OpenLoaded);
        OpenKev = Sum(OpenKev, o.OpenKev);
        Decided += o.Decided;
        NotAffected += o.NotAffected;
        OpenAtStart += o.OpenAtStart;
        RemovedWithPackage += o.RemovedWithPackage;
        FixedByUpgrade += o.FixedByUpgrade;
        SuppressedByDecision += o.SuppressedByDecision;
        NewlyDisclosed += o.NewlyDisclosed;
        IntroducedByPackage += o.IntroducedByPackage;
        DecisionsLifted += o.DecisionsLifted;
        Withdrawn += o.Withdrawn;
        Complete &= o.Complete;
        if (o.AsOf > AsOf) AsOf = o.AsOf;
        if (o.ComputedAt > ComputedAt) ComputedAt = o.ComputedAt;
    }

    /// <summary>An empty row to add others into.</summary>
    public static WeeklySnapshot Empty(IsoWeek week, SnapshotScope scope, long scopeId, string name) => new()
    {
        Year = week.Year, Week = week.Week, Scope = scope, ScopeId = scopeId, ScopeName = name, Complete = true, _blank = true,
    };

    /// <summary>Made by <see cref="Empty"/> and nothing added yet: the first row added sets what the sum knows. Not stored.</summary>
    private bool _blank;
}

/// <summary>
/// A problem (an alias group on a package name, within one lineage) open at the start of <see cref="MetricsState.LedgerYear"/>
/// / <see cref="MetricsState.LedgerWeek"/>: when it opened, so the next run measures SLA ages and times to remediate without
/// re-reading history. Closed problems leave the ledger (their time to remediate is in the week's snapshot).
/// </summary>
public sealed class MetricsProblem
{
    public long Id { get; set; }
    /// <summary>The repository where it was last present; its lineage is found from it when read.</summary>
    public long RepositoryId { get; set; }
    public long GroupId { get; set; }
    public required string VulnerabilityId { get; set; }
    public required string PackageType { get; set; }
    public string? PackageNamespace { get; set; }
    public required string PackageName { get; set; }
    /// <summary>Highest severity seen while open.</summary>
    public Severity Severity { get; set; }
    public DateTime OpenedAt { get; set; }
}

/// <summary>The one row that says how far the snapshots and the problem ledger reach.</summary>
public sealed class MetricsState
{
    public int Id { get; set; } = 1;
    /// <summary>The ledger holds the problems open at the start of this week (the first week not yet complete).</summary>
    public int? LedgerYear { get; set; }
    public int? LedgerWeek { get; set; }
    public DateTime? LastRunAt { get; set; }
    /// <summary>Bumped by every run that writes: a run that read an older version computed from stale state and writes nothing.</summary>
    public long Version { get; set; }

    public IsoWeek? Ledger => LedgerYear is { } y && LedgerWeek is { } w ? new IsoWeek(y, w) : null;
}
