using System.Text.Json;
using System.Text.Json.Serialization;
using Triage.Core.Domain;
using Triage.Core.Enrichment;
using Triage.Core.Ranking;
using Triage.Core.Runtime.Verdicts;

namespace Triage.Core.Tests.Ranking;

public class RiskRankerTests
{
    private static readonly RiskRanker Ranker = new();

    private static RiskInput Base(string id = "f1") => new()
    {
        FindingId = id,
        Severity = Severity.High,
        CvssScore = 7.5,
        Running = true,
        Environments = ["prod"],
        Workloads = 1,
        FixAvailable = true,
    };

    [Fact]
    public void Score_KevBeatsHighestEpss_AllElseEqual()
    {
        var kev = Base("kev") with { Kev = true, KevDateAdded = new DateOnly(2024, 5, 1), KevRansomware = RansomwareUse.Known };
        var epss = Base("epss") with { Epss = 1.0, EpssPercentile = 1.0 };
        var ranked = Ranker.Rank([epss, kev]);
        Assert.Equal(["kev", "epss"], ranked.Select(r => r.FindingId));
        var kevFactor = ranked[0].Why.Single(f => f.Factor == "kev");
        Assert.Equal(40m, kevFactor.Contribution);
        Assert.Equal("CISA KEV since 2024-05-01, ransomware: known", kevFactor.Detail);
        Assert.True(kevFactor.Contribution > ranked[1].Why.Single(f => f.Factor == "epss").Contribution);
    }

    [Fact]
    public void Score_KevWithEpss_EpssNotAddedButShown()
    {
        var r = Ranker.Score(Base() with { Kev = true, Epss = 0.9 });
        var epss = r.Why.Single(f => f.Factor == "epss");
        Assert.Equal(0m, epss.Contribution);
        Assert.Contains("not added", epss.Detail);
    }

    [Theory]
    [InlineData(ReachabilityVerdict.Reachable, VerdictConfidence.High, 15)]
    [InlineData(ReachabilityVerdict.Loaded, VerdictConfidence.High, 8)]
    [InlineData(ReachabilityVerdict.Unknown, VerdictConfidence.Low, 0)]
    [InlineData(ReachabilityVerdict.PresentNotLoaded, VerdictConfidence.Medium, -15)]
    [InlineData(ReachabilityVerdict.NotPresent, VerdictConfidence.High, -25)]
    [InlineData(ReachabilityVerdict.NotPresent, VerdictConfidence.Low, 0)]
    public void Score_ReachabilityContribution_UnknownAndWeakNeverLower(ReachabilityVerdict verdict, VerdictConfidence confidence, int expected)
    {
        var r = Ranker.Score(Base() with { Reachability = verdict, ReachabilityConfidence = confidence });
        Assert.Equal(expected, r.Why.Single(f => f.Factor == "reachability").Contribution);
        var unknown = Ranker.Score(Base());
        if (expected >= 0) Assert.True(r.Score >= unknown.Score);
    }

    [Theory]
    [InlineData(RankingVexStatus.NotAffected)]
    [InlineData(RankingVexStatus.Fixed)]
    public void Rank_VexNotAffectedOrFixed_ExcludedScoreZeroLast(RankingVexStatus vex)
    {
        var excluded = Base("a-excluded") with { Kev = true, Vex = vex };
        var low = Base("z-low") with { Severity = Severity.Low, CvssScore = 1.0, Running = false, FixAvailable = false };
        var ranked = Ranker.Rank([excluded, low]);
        Assert.Equal(["z-low", "a-excluded"], ranked.Select(r => r.FindingId));
        Assert.Equal((RankDisposition.Excluded, 0m), (ranked[1].Disposition, ranked[1].Score));
        Assert.Equal("vex", ranked[1].Why.Single().Factor);
    }

    [Fact]
    public void Score_RandomInputs_WhyFactorsSumToScoreWithin0To100()
    {
        foreach (var input in RankingInputs.Generate(20_000, seed: 7))
        {
            var r = Ranker.Score(input);
            Assert.Equal(r.Score, r.Explained);
            Assert.InRange(r.Score, 0m, 100m);
        }
    }

    [Fact]
    public void Score_CapAndFloor_AreExplainedFactors()
    {
        var max = Ranker.Score(Base() with
        {
            Kev = true, KevRansomware = RansomwareUse.Known, CvssScore = 10, Workloads = 20, Reachability = ReachabilityVerdict.Reachable, ReachabilityConfidence = VerdictConfidence.High,
        });
        Assert.Equal(100m, max.Score);
        Assert.Equal("cap", max.Why.Single(f => f.Factor == "cap").Factor);
        Assert.Equal(max.Score, max.Explained);

        var min = Ranker.Score(new RiskInput { FindingId = "x", Severity = Severity.Low, CvssScore = 0.5, Running = false, Reachability = ReachabilityVerdict.NotPresent, ReachabilityConfidence = VerdictConfidence.High });
        Assert.Equal(0m, min.Score);
        Assert.Contains(min.Why, f => f.Factor == "floor");
    }

    [Fact]
    public void Rank_SameInputShuffled_SameScoresAndOrder()
    {
        var inputs = RankingInputs.Generate(5_000, seed: 3);
        var first = Ranker.Rank(inputs);
        var shuffled = inputs.OrderBy(_ => Random.Shared.Next()).ToList();
        var second = new RiskRanker(RankingPolicy.Default with { }).Rank(shuffled);
        Assert.Equal(first.Select(r => (r.FindingId, r.Score, r.Priority)), second.Select(r => (r.FindingId, r.Score, r.Priority)));
        for (var i = 1; i < first.Count; i++)
            if (first[i].Disposition == first[i - 1].Disposition) Assert.True(first[i - 1].Score >= first[i].Score);
    }

    [Fact]
    public void Rank_IdenticalFindings_TieBrokenByFindingId()
    {
        var ranked = Ranker.Rank([Base("b"), Base("c"), Base("a")]);
        Assert.Equal(["a", "b", "c"], ranked.Select(r => r.FindingId));
    }

    [Fact]
    public void Priority_HighScoreWithoutExploitation_CappedAtAttend()
    {
        // With default weights a finding without exploitation evidence cannot reach 75; a lower Act threshold shows the guard.
        var ranker = new RiskRanker(RankingPolicy.Default with { ActAt = 70 });
        var r = ranker.Score(Base() with { CvssScore = 10, Workloads = 6, Reachability = ReachabilityVerdict.Reachable, ReachabilityConfidence = VerdictConfidence.High, Epss = 0.05 });
        Assert.True(r.Score >= 70m, $"score {r.Score}");
        Assert.Equal(SsvcPriority.Attend, r.Priority);
        Assert.Contains(r.Why, f => f.Factor == "priority" && f.Detail.Contains("exploitation"));
    }

    [Fact]
    public void Priority_KevInProdReachable_Act_AndKevNeverBelowAttend()
    {
        var act = Ranker.Score(Base() with { Kev = true, CvssScore = 9.8, Reachability = ReachabilityVerdict.Reachable, ReachabilityConfidence = VerdictConfidence.High });
        Assert.Equal(SsvcPriority.Act, act.Priority);
        Assert.Equal("Track*", SsvcPriority.TrackStar.ToDisplay());

        var quiet = Ranker.Score(new RiskInput { FindingId = "k", Kev = true, Severity = Severity.Low, Running = false, Reachability = ReachabilityVerdict.NotPresent, ReachabilityConfidence = VerdictConfidence.High });
        Assert.Equal(SsvcPriority.Attend, quiet.Priority);
        Assert.Contains(quiet.Why, f => f.Factor == "priority" && f.Detail.Contains("KEV"));
    }

    [Fact]
    public void Priority_ActInStagingOnly_Attend()
    {
        var r = Ranker.Score(Base() with { Kev = true, CvssScore = 10, Environments = ["staging"], Workloads = 8, Reachability = ReachabilityVerdict.Reachable, ReachabilityConfidence = VerdictConfidence.High });
        Assert.True(r.Score >= 75m);
        Assert.Equal(SsvcPriority.Attend, r.Priority);
    }

    [Fact]
    public void Exposure_ProdAboveStagingAboveOther_UnknownNotZero()
    {
        decimal Exposure(RiskInput i) => Ranker.Score(i).Why.Single(f => f.Factor == "exposure").Contribution;
        Assert.Equal(15m, Exposure(Base() with { Environments = ["production"] }));
        Assert.Equal(8m, Exposure(Base() with { Environments = ["dev", "uat"] }));
        Assert.Equal(5m, Exposure(Base() with { Environments = [] }));
        Assert.Equal(5m, Exposure(Base() with { Running = null }));
        Assert.Equal(0m, Exposure(Base() with { Running = false }));
        Assert.Equal(3m, Ranker.Score(Base() with { Workloads = 4 }).Why.Single(f => f.Factor == "workloads").Contribution);
    }

    [Fact]
    public void Exposure_PartialInventories_NeutralAndSaysWhatTheyCover()
    {
        var gap = new Triage.Core.Runtime.Inventory.InventoryGap(["namespace shop of cluster prod-eu", "node n1 of cluster prod-us"], false);
        var partial = Base() with { Running = null, Environments = [], InventoryGap = gap };
        var exposure = Ranker.Score(partial).Why.Single(f => f.Factor == "exposure");
        Assert.Equal(5m, exposure.Contribution); // as without any inventory: unknown never lowers
        Assert.Equal("not seen in the inventories, which cover only namespace shop of cluster prod-eu and node n1 of cluster prod-us: exposure unknown", exposure.Detail);
        Assert.True(Ranker.Score(partial).Score > Ranker.Score(partial with { Running = false, InventoryGap = null }).Score);
        Assert.Null((partial.With((Triage.Core.Runtime.Inventory.RuntimePresence?)null)).InventoryGap);
    }

    [Fact]
    public void Policy_Invalid_Rejected()
    {
        var bad = RankingPolicy.Default with { KevWeight = 20, EpssWeight = 30, AttendAt = 90 };
        var errors = bad.Validate();
        Assert.Contains(errors, e => e.Contains("KevWeight"));
        Assert.Contains(errors, e => e.Contains("Thresholds"));
        Assert.Throws<ArgumentException>(() => new RiskRanker(bad));
        Assert.Empty(RankingPolicy.Default.Validate());
    }

    [Fact]
    public void Policy_BindsFromConfigurationShapedJson()
    {
        const string json = """{"KevWeight":40,"EpssWeight":20,"ProdEnvironments":["prod","prd","live"],"MinConfidenceToLower":"High","ActAt":80}""";
        var policy = JsonSerializer.Deserialize<RankingPolicy>(json, new JsonSerializerOptions { Converters = { new JsonStringEnumConverter() } })!;
        Assert.Equal((40, 20, 80, 25), (policy.KevWeight, policy.EpssWeight, policy.ActAt, policy.ImpactWeight));
        Assert.Equal(VerdictConfidence.High, policy.MinConfidenceToLower);
        Assert.Equal(EnvironmentClass.Prod, policy.Classify("LIVE"));
        Assert.Empty(policy.Validate());
    }

    [Fact]
    public void With_EnrichmentValues_CopiesKevAndEpss()
    {
        var e = new EnrichmentValues(0.3, 0.95, "CVE-1", true, new DateOnly(2024, 1, 2), null, RansomwareUse.Known, ["CVE-1"]);
        var i = Base().With(e);
        Assert.Equal((true, 0.3, RansomwareUse.Known, new DateOnly(2024, 1, 2)), (i.Kev, i.Epss!.Value, i.KevRansomware, i.KevDateAdded!.Value));
    }
}

public class RiskRankerOrderTests
{
    [Fact]
    public void Compare_AgreesWithRankOrder()
    {
        var ranker = new RiskRanker();
        var inputs = RankingInputs.Generate(3_000, seed: 11);
        var ranked = ranker.Rank(inputs);
        for (var i = 1; i < ranked.Count; i++)
            Assert.True(ranker.Compare(ranked[i - 1].Input, ranked[i].Input) < 0, $"{ranked[i - 1].FindingId} before {ranked[i].FindingId}");
    }

    [Fact]
    public void Why_IsTheSameWhenComputedLateOrAgain()
    {
        var ranker = new RiskRanker();
        var input = RankingInputs.Generate(1, seed: 5)[0];
        var a = ranker.Score(input);
        var b = ranker.Score(input);
        Assert.Equal(a.Why, b.Why);
        Assert.Equal(ranker.Explain(input), a.Why);
    }
}

public class RiskInputBridgeTests
{
    [Fact]
    public void With_PresenceAndVerdict_FillExposureAndReachability()
    {
        var presence = new Triage.Core.Runtime.Inventory.RuntimePresence(true, ["prod", "staging"], ["c1"], 3, 7, null, null);
        var verdict = new VerdictResult(ReachabilityVerdict.Loaded, VerdictConfidence.High, [], null, []);
        var input = new RiskInput { FindingId = "f" }.With(presence).With(verdict);
        Assert.Equal((true, 3, ReachabilityVerdict.Loaded, VerdictConfidence.High), (input.Running!.Value, input.Workloads, input.Reachability, input.ReachabilityConfidence));
        Assert.Null(input.With((Triage.Core.Runtime.Inventory.RuntimePresence?)null).Running);
        var why = new RiskRanker().Score(input).Why;
        Assert.Contains(why, f => f.Factor == "exposure" && f.Detail.Contains("prod, staging (prod)"));
    }
}

public class RiskRankerRobustnessTests
{
    [Fact]
    public void Score_NaNValues_TreatedAsMissing()
    {
        var r = new RiskRanker().Score(new RiskInput { FindingId = "n", Epss = double.NaN, CvssScore = double.NaN, Severity = Severity.High });
        Assert.Equal(0m, r.Why.Single(f => f.Factor == "epss").Contribution);
        Assert.Equal(20m, r.Why.Single(f => f.Factor == "impact").Contribution);
        Assert.Equal(r.Score, r.Explained);
    }
}
