using Bunit;
using Triage.Core.Enrichment;
using Triage.Core.Ranking;
using Triage.Core.Runtime.Verdicts;
using Triage.Data.Runtime;
using Triage.Web.Features.Findings;

namespace Triage.Web.Tests.Components;

public sealed class RiskPanelTests : ComponentTest
{
    private static FindingRiskView Risk() => new()
    {
        Score = 82m,
        Priority = SsvcPriority.Act,
        Why =
        [
            new RiskFactor("kev", 40m, "CISA KEV since 2021-12-10"),
            new RiskFactor("reachability", 12m, "loaded with high confidence"),
            new RiskFactor("impact", 30m, "CVSS 10.0"),
        ],
        Reachability = new ReachabilityView(ReachabilityVerdict.Loaded, VerdictConfidence.High,
            [new VerdictSource("slim-creport", ReachabilityVerdict.Loaded, VerdictConfidence.High, "2 files read: /usr/lib/libssl.so.1.1")], null, [], true),
        Runtime = new RuntimeView(true, ["prod"], 3, 6, ["home"], null, new DateTime(2025, 8, 25, 12, 0, 0, DateTimeKind.Utc)),
        Epss = new EpssView(0.94358, 0.99957, new DateOnly(2025, 8, 25), "CVE-2021-44228"),
        Kev = new KevView(true, new DateOnly(2021, 12, 10), RansomwareUse.Known, null, ["CVE-2021-44228"]),
    };

    [Fact]
    public void Panel_ShowsEachFactorWithItsPoints_VerdictSources_RuntimeAndExploitationDates()
    {
        var cut = Render<RiskPanel>(p => p.Add(x => x.Risk, Risk()));
        Assert.Equal("act", cut.Find(".priority-chip").GetAttribute("data-priority"));
        Assert.Equal(["kev", "reachability", "impact"], cut.FindAll("#risk-why tr[data-factor]").Select(r => r.GetAttribute("data-factor")));
        Assert.Contains("+40", cut.Find("#risk-why tr[data-factor=kev]").TextContent);
        Assert.Equal("loaded", cut.Find("#risk-verdict").TextContent);
        Assert.Contains("slim-creport", cut.Find("#risk-sources").TextContent);
        Assert.Contains("3 workloads (6 replicas), environments prod", cut.Find("#risk-runtime").TextContent);
        Assert.Contains("since 2021-12-10, known ransomware use", cut.Find("#risk-kev").TextContent);
        Assert.Contains("scores of 2025-08-25", cut.Find("#risk-epss").TextContent);
    }

    [Fact]
    public void Unscored_SaysSo()
    {
        var cut = Render<RiskPanel>(p => p.Add(x => x.Risk, null));
        Assert.NotNull(cut.Find("#risk-none"));
    }
}
