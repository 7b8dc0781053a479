using System.Globalization;
using Triage.Core.Domain;
using Triage.Core.Enrichment;
using Triage.Core.Runtime.Verdicts;

namespace Triage.Core.Ranking;

/// <summary>
/// Scores and orders findings under a <see cref="RankingPolicy"/>. Pure and deterministic: contributions are rounded
/// to tenths of a point before they are added, so the factors always sum exactly to the score, and the order is total
/// (score, priority, KEV, EPSS, impact, then finding id). Thread-safe.
/// </summary>
public sealed class RiskRanker
{
    private readonly RankingPolicy _policy;

    public RiskRanker(RankingPolicy? policy = null)
    {
        _policy = policy ?? RankingPolicy.Default;
        var errors = _policy.Validate();
        if (errors.Count > 0) throw new ArgumentException("Invalid ranking policy: " + string.Join(" ", errors), nameof(policy));
    }

    public RankingPolicy Policy => _policy;

    /// <summary>Scores every input and returns the results in rank order (most urgent first; excluded findings last).</summary>
    public IReadOnlyList<RiskResult> Rank(IReadOnlyCollection<RiskInput> inputs)
    {
        var keys = new SortKey[inputs.Count];
        var i = 0;
        foreach (var input in inputs) keys[i++] = Key(input, Score(input));
        Array.Sort(keys, Compare);
        var results = new RiskResult[keys.Length];
        for (i = 0; i < keys.Length; i++) results[i] = keys[i].Result;
        return results;
    }

    /// <summary>Orders two already-scored findings exactly as <see cref="Rank"/> does.</summary>
    public int Compare(RiskInput a, RiskResult ra, RiskInput b, RiskResult rb) => Compare(Key(a, ra), Key(b, rb));

    public RiskResult Score(RiskInput input)
    {
        var p = _policy;
        if (input.Vex is RankingVexStatus.NotAffected or RankingVexStatus.Fixed)
            return new RiskResult(input.FindingId, RankDisposition.Excluded, 0m, SsvcPriority.Track,
                [new RiskFactor("vex", 0m, $"VEX {input.Vex.ToWire()}: excluded from ranking")]);

        var why = new List<RiskFactor>(8);
        var total = 0;
        void Add(string factor, int tenths, string detail)
        {
            total += tenths;
            why.Add(new RiskFactor(factor, tenths / 10m, detail));
        }

        // Exploitation: KEV above EPSS.
        if (input.Kev)
        {
            var ransomware = input.KevRansomware == RansomwareUse.Known;
            Add("kev", Tenths(p.KevWeight + (ransomware ? p.KevRansomwareBonus : 0)),
                $"CISA KEV{(input.KevDateAdded is { } d ? " since " + d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "")}, ransomware: {input.KevRansomware.ToWire()}");
            if (input.Epss is { } e) Add("epss", 0, $"EPSS {Fmt(e)} not added: KEV already shows exploitation");
        }
        else if (input.Epss is { } e)
        {
            Add("epss", Tenths(p.EpssWeight * Math.Pow(Math.Clamp(e, 0, 1), p.EpssExponent)),
                $"EPSS {Fmt(e)}{(input.EpssPercentile is { } pct ? $" (percentile {Fmt(pct)})" : "")}");
        }
        else Add("epss", 0, "no EPSS score");

        // Technical impact.
        var impact = Impact(input);
        Add("impact", Tenths(p.ImpactWeight * impact / 10),
            input.CvssScore is { } cvss
                ? $"CVSS {cvss.ToString("0.0", CultureInfo.InvariantCulture)} ({input.Severity.ToWire()})"
                : $"severity {input.Severity.ToWire()} (no CVSS; counted as {impact.ToString("0.0", CultureInfo.InvariantCulture)})");

        // Exposure.
        var envClass = EnvironmentClass.Other;
        foreach (var env in input.Environments)
        {
            var c = p.Classify(env);
            if (c > envClass) envClass = c;
        }
        switch (input.Running)
        {
            case null:
                Add("exposure", Tenths(p.ExposureUnknown), "no deployment inventory: exposure unknown");
                break;
            case false:
                Add("exposure", Tenths(p.ExposureNotRunning), "not seen running in any imported inventory");
                break;
            case true:
                var weight = envClass switch
                {
                    EnvironmentClass.Prod => p.ExposureProd,
                    EnvironmentClass.Staging => p.ExposureStaging,
                    EnvironmentClass.Other => p.ExposureOther,
                };
                Add("exposure", Tenths(weight), input.Environments.Count > 0
                    ? $"running in {string.Join(", ", input.Environments)} ({envClass.ToWire()})"
                    : "running, environment unknown");
                if (input.Workloads > 1)
                    Add("workloads", Tenths(Math.Min(p.WorkloadBonusMax, (input.Workloads - 1) * p.WorkloadBonusPerExtra)), $"{input.Workloads} workloads run it");
                break;
        }

        // Reachability: Unknown never lowers; lowering verdicts need enough confidence.
        var lowering = input.Reachability is ReachabilityVerdict.PresentNotLoaded or ReachabilityVerdict.NotPresent;
        if (lowering && input.ReachabilityConfidence < p.MinConfidenceToLower)
            Add("reachability", 0, $"{input.Reachability.ToWire()} with {input.ReachabilityConfidence.ToWire()} confidence: too weak to lower");
        else
            Add("reachability", Tenths(input.Reachability switch
            {
                ReachabilityVerdict.Reachable => p.Reachable,
                ReachabilityVerdict.Loaded => p.Loaded,
                ReachabilityVerdict.Unknown => 0,
                ReachabilityVerdict.PresentNotLoaded => p.PresentNotLoaded,
                ReachabilityVerdict.NotPresent => p.NotPresent,
            }), input.Reachability == ReachabilityVerdict.Unknown
                ? "unknown: no runtime evidence, does not lower"
                : $"{input.Reachability.ToWire()} ({input.ReachabilityConfidence.ToWire()} confidence)");

        Add("fix", input.FixAvailable ? Tenths(p.FixAvailableBonus) : 0, input.FixAvailable ? "fixed version available" : "no fixed version");
        if (input.Vex is RankingVexStatus.Affected or RankingVexStatus.UnderInvestigation) Add("vex", 0, $"VEX {input.Vex.ToWire()}");

        if (total > 1000) Add("cap", 1000 - total, "score capped at 100");
        else if (total < 0) Add("floor", -total, "score floored at 0");
        var score = total / 10m;

        // Priority from the score, then SSVC-style guards (recorded as zero-point factors so the reason is visible).
        var priority = score >= (decimal)p.ActAt ? SsvcPriority.Act
            : score >= (decimal)p.AttendAt ? SsvcPriority.Attend
            : score >= (decimal)p.TrackStarAt ? SsvcPriority.TrackStar
            : SsvcPriority.Track;
        if (priority == SsvcPriority.Act)
        {
            var exploited = input.Kev || input.Epss >= p.ActMinEpss;
            var exposureBlocks = p.ActRequiresProd && (input.Running == false || (input.Running == true && envClass != EnvironmentClass.Prod));
            if (!exploited || exposureBlocks)
            {
                priority = SsvcPriority.Attend;
                why.Add(new RiskFactor("priority", 0m, !exploited ? "Act needs exploitation evidence (KEV or EPSS): Attend" : "Act needs production exposure: Attend"));
            }
        }
        if (input.Kev && priority < p.KevMinimumPriority)
        {
            priority = p.KevMinimumPriority;
            why.Add(new RiskFactor("priority", 0m, $"CISA KEV: at least {priority.ToDisplay()}"));
        }
        return new RiskResult(input.FindingId, RankDisposition.Ranked, score, priority, why);
    }

    private double Impact(RiskInput input) => input.CvssScore is { } c && c is >= 0 and <= 10
        ? c
        : input.Severity switch
        {
            Severity.Critical => _policy.CriticalScore,
            Severity.High => _policy.HighScore,
            Severity.Medium => _policy.MediumScore,
            Severity.Low => _policy.LowScore,
            Severity.Unknown => _policy.UnknownSeverityScore,
        };

    private static int Tenths(double points) => (int)Math.Round(points * 10, MidpointRounding.AwayFromZero);

    private static string Fmt(double v) => v.ToString("0.#####", CultureInfo.InvariantCulture);

    private readonly record struct SortKey(RiskResult Result, bool Kev, double Epss, double Impact, string Id);

    private SortKey Key(RiskInput input, RiskResult result) => new(result, input.Kev, input.Epss ?? -1, Impact(input), input.FindingId);

    private static int Compare(SortKey a, SortKey b)
    {
        var c = a.Result.Disposition.CompareTo(b.Result.Disposition); // Ranked before Excluded
        if (c != 0) return c;
        c = b.Result.Score.CompareTo(a.Result.Score);
        if (c != 0) return c;
        c = b.Result.Priority.CompareTo(a.Result.Priority);
        if (c != 0) return c;
        c = b.Kev.CompareTo(a.Kev);
        if (c != 0) return c;
        c = b.Epss.CompareTo(a.Epss);
        if (c != 0) return c;
        c = b.Impact.CompareTo(a.Impact);
        if (c != 0) return c;
        return string.CompareOrdinal(a.Id, b.Id);
    }
}
