using Triage.Core.Domain;
using Triage.Core.Enrichment;
using Triage.Core.Runtime.Inventory;
using Triage.Core.Runtime.Verdicts;

namespace Triage.Core.Ranking;

/// <summary>SSVC-style priority (CISA's decision outcomes). Ordered: a larger value is more urgent.</summary>
public enum SsvcPriority
{
    /// <summary>Remediate within standard update timelines.</summary>
    Track = 0,
    /// <summary>"Track*": standard timelines, but watch for changes (exploitation, exposure).</summary>
    TrackStar = 1,
    /// <summary>Needs attention sooner than standard timelines.</summary>
    Attend = 2,
    /// <summary>Act as soon as possible.</summary>
    Act = 3,
}

/// <summary>The VEX status a finding carries when it is ranked (from decisions or imported VEX).</summary>
public enum RankingVexStatus
{
    None = 0,
    UnderInvestigation,
    Affected,
    /// <summary>not_affected: excluded from ranking.</summary>
    NotAffected,
    /// <summary>fixed: excluded from ranking.</summary>
    Fixed,
}

/// <summary>Whether a finding is ranked or drops out.</summary>
public enum RankDisposition
{
    Ranked,
    /// <summary>VEX says not_affected or fixed: score 0, listed after every ranked finding.</summary>
    Excluded,
}

/// <summary>Environment classes used for exposure.</summary>
public enum EnvironmentClass
{
    Other = 0,
    Staging = 1,
    Prod = 2,
}

public static class RankingNames
{
    public static string ToWire(this SsvcPriority p) => p switch
    {
        SsvcPriority.Track => "track",
        SsvcPriority.TrackStar => "track*",
        SsvcPriority.Attend => "attend",
        SsvcPriority.Act => "act",
    };

    /// <summary>The label shown to people ("Track*").</summary>
    public static string ToDisplay(this SsvcPriority p) => p switch
    {
        SsvcPriority.Track => "Track",
        SsvcPriority.TrackStar => "Track*",
        SsvcPriority.Attend => "Attend",
        SsvcPriority.Act => "Act",
    };

    public static string ToWire(this RankingVexStatus s) => s switch
    {
        RankingVexStatus.None => "none",
        RankingVexStatus.UnderInvestigation => "under_investigation",
        RankingVexStatus.Affected => "affected",
        RankingVexStatus.NotAffected => "not_affected",
        RankingVexStatus.Fixed => "fixed",
    };

    public static string ToWire(this RankDisposition d) => d switch
    {
        RankDisposition.Ranked => "ranked",
        RankDisposition.Excluded => "excluded",
    };

    public static string ToWire(this EnvironmentClass e) => e switch
    {
        EnvironmentClass.Other => "other",
        EnvironmentClass.Staging => "staging",
        EnvironmentClass.Prod => "prod",
    };
}

/// <summary>What ranking needs about one finding. Built by the lead from the stored finding, its enrichment,
/// runtime presence and verdict.</summary>
public sealed record RiskInput
{
    /// <summary>Stable id of the finding: the last tie-break, so equal findings always sort the same way.</summary>
    public required string FindingId { get; init; }
    public Severity Severity { get; init; }
    /// <summary>Highest CVSS base score known (v3/v4 preferred by the caller); null to fall back to severity.</summary>
    public double? CvssScore { get; init; }
    public bool Kev { get; init; }
    public DateOnly? KevDateAdded { get; init; }
    public RansomwareUse KevRansomware { get; init; }
    public double? Epss { get; init; }
    public double? EpssPercentile { get; init; }
    /// <summary>True: seen running; false: cluster-wide inventories of the clusters that matter do not show it
    /// (<see cref="AbsenceRule"/>); null: no inventory at all, or the inventories cover only part of where it could run
    /// (<see cref="InventoryGap"/> then says what they cover).</summary>
    public bool? Running { get; init; }
    /// <summary>When <see cref="Running"/> is null although inventories exist: what they cover.</summary>
    public InventoryGap? InventoryGap { get; init; }
    public IReadOnlyList<string> Environments { get; init; } = [];
    public int Workloads { get; init; }
    public ReachabilityVerdict Reachability { get; init; }
    public VerdictConfidence ReachabilityConfidence { get; init; }
    public bool FixAvailable { get; init; }
    public RankingVexStatus Vex { get; init; }

    /// <summary>Copies where the image runs (<see cref="RuntimePresence.For"/>); pass null when no inventory was imported.</summary>
    public RiskInput With(RuntimePresence? presence) => presence is null
        ? this with { Running = null, Environments = [], Workloads = 0, InventoryGap = null }
        : this with { Running = presence.Running, Environments = presence.Environments, Workloads = presence.Workloads, InventoryGap = null };

    /// <summary>Not seen in any current workload, and the inventories do not cover where it could run: exposure unknown.</summary>
    public RiskInput With(InventoryGap gap) => this with { Running = null, Environments = [], Workloads = 0, InventoryGap = gap };

    /// <summary>Copies the verdict and its confidence from <see cref="VerdictEngine"/>.</summary>
    public RiskInput With(VerdictResult verdict) => this with { Reachability = verdict.Verdict, ReachabilityConfidence = verdict.Confidence };

    /// <summary>Copies enrichment values picked by <see cref="EnrichmentSelector"/>.</summary>
    public RiskInput With(EnrichmentValues e) => this with
    {
        Kev = e.Kev,
        KevDateAdded = e.KevDateAdded,
        KevRansomware = e.KevRansomware,
        Epss = e.Epss,
        EpssPercentile = e.EpssPercentile,
    };
}

/// <summary>One reason in a score: the factor's name, what it added (or removed), and why.</summary>
/// <param name="Factor">kev, epss, impact, exposure, workloads, reachability, fix, vex, cap.</param>
public sealed record RiskFactor(string Factor, decimal Contribution, string Detail);

/// <summary>
/// A finding's score (0–100, one decimal), priority and the factors that add up to the score, in order.
/// <see cref="Why"/> is computed on first access by the same code that computed the score (ranking 500,000 findings
/// should not build 3 million explanation strings nobody reads); it is deterministic, so early or late makes no difference.
/// </summary>
public sealed class RiskResult
{
    private readonly RiskRanker _ranker;
    private IReadOnlyList<RiskFactor>? _why;

    internal RiskResult(RiskRanker ranker, RiskInput input, RankDisposition disposition, decimal score, SsvcPriority priority)
    {
        _ranker = ranker;
        Input = input;
        Disposition = disposition;
        Score = score;
        Priority = priority;
    }

    public string FindingId => Input.FindingId;
    /// <summary>The input that was scored (kept for the explanation and for the caller's bookkeeping).</summary>
    public RiskInput Input { get; }
    public RankDisposition Disposition { get; }
    public decimal Score { get; }
    public SsvcPriority Priority { get; }

    /// <summary>The ordered factors; their contributions sum exactly to <see cref="Score"/>.</summary>
    public IReadOnlyList<RiskFactor> Why => _why ??= _ranker.Explain(Input);

    /// <summary>Sum of <see cref="Why"/>: always equals <see cref="Score"/>.</summary>
    public decimal Explained => Why.Sum(f => f.Contribution);
}
