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
    private readonly Dictionary<string, EnvironmentClass> _environments = new(StringComparer.OrdinalIgnoreCase);

    public RiskRanker(RankingPolicy? policy = null)
    {
        _policy = policy ?? RankingPolicy.Default;
        var errors = _policy.Validate();
        if (errors.Count > 0) throw new ArgumentException("Invalid ranking policy: " + string.Join(" ", errors), nameof(policy));
        // Looked up once per environment per finding: a dictionary instead of scanning the policy's lists.
        foreach (var s in _policy.StagingEnvironments) _environments[s] = EnvironmentClass.Staging;
        foreach (var p in _policy.ProdEnvironments) _environments[p] = EnvironmentClass.Prod;
    }

    public RankingPolicy Policy => _policy;

    /// <summary>Scores every input and returns the results in rank order (most urgent first; excluded findings last).</summary>
    public IReadOnlyList<RiskResult> Rank(IReadOnlyCollection<RiskInput> inputs)
    {
        var results = new RiskResult[inputs.Count];
        var keys = new long[inputs.Count];
        var order = new int[inputs.Count];
        var i = 0;
        foreach (var input in inputs)
        {
            var (tenths, priority, disposition) = Evaluate(input, null);
            results[i] = new RiskResult(this, input, disposition, tenths / 10m, priority);
            keys[i] = ~RankKey(input, tenths, priority, disposition); // ascending sort of the complement = descending rank
            order[i] = i;
            i++;
        }
        // Primitive keys sort fast; only runs of equal keys need the string tie-break.
        Array.Sort(keys, order);
        for (var start = 0; start < keys.Length;)
        {
            var end = start + 1;
            while (end < keys.Length && keys[end] == keys[start]) end++;
            if (end - start > 1) Array.Sort(order, start, end - start, Comparer<int>.Create((x, y) => string.CompareOrdinal(results[x].FindingId, results[y].FindingId)));
            start = end;
        }
        var sorted = new RiskResult[results.Length];
        for (i = 0; i < order.Length; i++) sorted[i] = results[order[i]];
        return sorted;
    }

    /// <summary>Orders two findings exactly as <see cref="Rank"/> does (negative when <paramref name="a"/> ranks first).</summary>
    public int Compare(RiskInput a, RiskInput b)
    {
        var (ta, pa, da) = Evaluate(a, null);
        var (tb, pb, db) = Evaluate(b, null);
        var c = RankKey(b, tb, pb, db).CompareTo(RankKey(a, ta, pa, da));
        return c != 0 ? c : string.CompareOrdinal(a.FindingId, b.FindingId);
    }

    /// <summary>
    /// The total order as one number, larger = more urgent: ranked before excluded, then score (tenths), priority,
    /// KEV, EPSS (to 1e-9; none below zero), impact (CVSS-equivalent to 0.001). Finding id breaks what is left.
    /// </summary>
    private long RankKey(RiskInput input, int tenths, SsvcPriority priority, RankDisposition disposition)
    {
        long key = disposition == RankDisposition.Ranked ? 1 : 0;
        key = (key << 11) | (uint)Math.Clamp(tenths, 0, 2047);
        key = (key << 2) | (uint)priority;
        key = (key << 1) | (input.Kev ? 1u : 0u);
        key = (key << 31) | (input.Epss is { } e && !double.IsNaN(e) ? (uint)Math.Round(Math.Clamp(e, 0, 1) * 1e9) + 1 : 0u);
        key = (key << 14) | (uint)Math.Round(Impact(input) * 1000);
        return key;
    }

    public RiskResult Score(RiskInput input)
    {
        var (tenths, priority, disposition) = Evaluate(input, null);
        return new RiskResult(this, input, disposition, tenths / 10m, priority);
    }

    /// <summary>The factors of <paramref name="input"/>'s score, computed by the same code as the score.</summary>
    public IReadOnlyList<RiskFactor> Explain(RiskInput input)
    {
        var why = new List<RiskFactor>(9);
        Evaluate(input, why);
        return why;
    }

    /// <summary>The whole policy in one pass. With <paramref name="why"/> null it allocates nothing; with a list it also
    /// records each factor. Contributions are rounded to tenths before they are added, so the factors sum exactly.</summary>
    private (int Tenths, SsvcPriority Priority, RankDisposition Disposition) Evaluate(RiskInput input, List<RiskFactor>? why)
    {
        var p = _policy;
        if (input.Vex is RankingVexStatus.NotAffected or RankingVexStatus.Fixed)
        {
            why?.Add(new RiskFactor("vex", 0m, $"VEX {input.Vex.ToWire()}: excluded from ranking"));
            return (0, SsvcPriority.Track, RankDisposition.Excluded);
        }

        var total = 0;
        // Each factor: add its tenths, and describe it only when explaining (why?.Add skips building the text).
        if (input.Kev)
        {
            var ransomware = input.KevRansomware == RansomwareUse.Known;
            var t = Tenths(p.KevWeight + (ransomware ? p.KevRansomwareBonus : 0));
            total += t;
            why?.Add(new RiskFactor("kev", t / 10m,
                $"CISA KEV{(input.KevDateAdded is { } d ? " since " + d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "")}, ransomware: {input.KevRansomware.ToWire()}"));
            if (input.Epss is { } e && !double.IsNaN(e)) why?.Add(new RiskFactor("epss", 0m, $"EPSS {Fmt(e)} not added: KEV already shows exploitation"));
        }
        else if (input.Epss is { } e && !double.IsNaN(e))
        {
            var t = Tenths(p.EpssWeight * Math.Pow(Math.Clamp(e, 0, 1), p.EpssExponent));
            total += t;
            why?.Add(new RiskFactor("epss", t / 10m, $"EPSS {Fmt(e)}{(input.EpssPercentile is { } pct ? $" (percentile {Fmt(pct)})" : "")}"));
        }
        else why?.Add(new RiskFactor("epss", 0m, "no EPSS score"));

        // Technical impact.
        var impact = Impact(input);
        var impactTenths = Tenths(p.ImpactWeight * impact / 10);
        total += impactTenths;
        why?.Add(new RiskFactor("impact", impactTenths / 10m, input.CvssScore is { } cvss
            ? $"CVSS {cvss.ToString("0.0", CultureInfo.InvariantCulture)} ({input.Severity.ToWire()})"
            : $"severity {input.Severity.ToWire()} (no CVSS; counted as {impact.ToString("0.0", CultureInfo.InvariantCulture)})"));

        // Exposure.
        var envClass = EnvironmentClass.Other;
        var environments = input.Environments;
        for (var i = 0; i < environments.Count; i++)
            if (_environments.TryGetValue(environments[i], out var c) && c > envClass) envClass = c;
        switch (input.Running)
        {
            case null:
            {
                var t = Tenths(p.ExposureUnknown);
                total += t;
                why?.Add(new RiskFactor("exposure", t / 10m, input.InventoryGap is { } gap
                    ? $"{gap.Describe()}: exposure unknown"
                    : "no deployment inventory: exposure unknown"));
                break;
            }
            case false:
            {
                var t = Tenths(p.ExposureNotRunning);
                total += t;
                why?.Add(new RiskFactor("exposure", t / 10m, "not seen running in any imported inventory"));
                break;
            }
            case true:
            {
                var t = Tenths(envClass switch
                {
                    EnvironmentClass.Prod => p.ExposureProd,
                    EnvironmentClass.Staging => p.ExposureStaging,
                    EnvironmentClass.Other => p.ExposureOther,
                });
                total += t;
                why?.Add(new RiskFactor("exposure", t / 10m, input.Environments.Count > 0
                    ? $"running in {string.Join(", ", input.Environments)} ({envClass.ToWire()})"
                    : "running, environment unknown"));
                if (input.Workloads > 1)
                {
                    var w = Tenths(Math.Min(p.WorkloadBonusMax, (input.Workloads - 1) * p.WorkloadBonusPerExtra));
                    total += w;
                    why?.Add(new RiskFactor("workloads", w / 10m, $"{input.Workloads} workloads run it"));
                }
                break;
            }
        }

        // Reachability: Unknown never lowers; lowering verdicts need enough confidence.
        var lowering = input.Reachability is ReachabilityVerdict.PresentNotLoaded or ReachabilityVerdict.NotPresent;
        if (lowering && input.ReachabilityConfidence < p.MinConfidenceToLower)
            why?.Add(new RiskFactor("reachability", 0m, $"{input.Reachability.ToWire()} with {input.ReachabilityConfidence.ToWire()} confidence: too weak to lower"));
        else
        {
            var t = Tenths(input.Reachability switch
            {
                ReachabilityVerdict.Reachable => p.Reachable,
                ReachabilityVerdict.Loaded => p.Loaded,
                ReachabilityVerdict.Unknown => 0,
                ReachabilityVerdict.PresentNotLoaded => p.PresentNotLoaded,
                ReachabilityVerdict.NotPresent => p.NotPresent,
            });
            total += t;
            why?.Add(new RiskFactor("reachability", t / 10m, input.Reachability == ReachabilityVerdict.Unknown
                ? "unknown: no runtime evidence, does not lower"
                : $"{input.Reachability.ToWire()} ({input.ReachabilityConfidence.ToWire()} confidence)"));
        }

        var fix = input.FixAvailable ? Tenths(p.FixAvailableBonus) : 0;
        total += fix;
        why?.Add(new RiskFactor("fix", fix / 10m, input.FixAvailable ? "fixed version available" : "no fixed version"));
        if (input.Vex is RankingVexStatus.Affected or RankingVexStatus.UnderInvestigation) why?.Add(new RiskFactor("vex", 0m, $"VEX {input.Vex.ToWire()}"));

        if (total > 1000)
        {
            why?.Add(new RiskFactor("cap", (1000 - total) / 10m, "score capped at 100"));
            total = 1000;
        }
        else if (total < 0)
        {
            why?.Add(new RiskFactor("floor", -total / 10m, "score floored at 0"));
            total = 0;
        }

        // Priority from the score, then SSVC-style guards (recorded as zero-point factors so the reason is visible).
        var priority = total >= ThresholdTenths(p.ActAt) ? SsvcPriority.Act
            : total >= ThresholdTenths(p.AttendAt) ? SsvcPriority.Attend
            : total >= ThresholdTenths(p.TrackStarAt) ? SsvcPriority.TrackStar
            : SsvcPriority.Track;
        if (priority == SsvcPriority.Act)
        {
            var exploited = input.Kev || input.Epss >= p.ActMinEpss;
            var exposureBlocks = p.ActRequiresProd && (input.Running == false || (input.Running == true && envClass != EnvironmentClass.Prod));
            if (!exploited || exposureBlocks)
            {
                priority = SsvcPriority.Attend;
                why?.Add(new RiskFactor("priority", 0m, !exploited ? "Act needs exploitation evidence (KEV or EPSS): Attend" : "Act needs production exposure: Attend"));
            }
        }
        if (input.Kev && priority < p.KevMinimumPriority)
        {
            priority = p.KevMinimumPriority;
            why?.Add(new RiskFactor("priority", 0m, $"CISA KEV: at least {priority.ToDisplay()}"));
        }
        return (total, priority, RankDisposition.Ranked);
    }

    /// <summary>A threshold in tenths, rounded up so "score ≥ threshold" means the same in decimal and in tenths.</summary>
    private static int ThresholdTenths(double points) => (int)Math.Ceiling(points * 10 - 1e-9);

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
}
