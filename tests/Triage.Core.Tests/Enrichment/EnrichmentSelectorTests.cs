using Triage.Core.Enrichment;

namespace Triage.Core.Tests.Enrichment;

public class EnrichmentSelectorTests
{
    private static readonly Dictionary<string, EpssScore> Epss = new()
    {
        ["CVE-2024-0001"] = new("CVE-2024-0001", 0.10, 0.90),
        ["CVE-2024-0002"] = new("CVE-2024-0002", 0.40, 0.97),
        ["CVE-2024-0003"] = new("CVE-2024-0003", 0.40, 0.98),
    };

    private static readonly Dictionary<string, KevEntry> Kev = new()
    {
        ["CVE-2024-0001"] = new("CVE-2024-0001", new DateOnly(2024, 5, 1), new DateOnly(2024, 5, 22), RansomwareUse.Known, null, null, null, null, []),
        ["CVE-2024-0004"] = new("CVE-2024-0004", new DateOnly(2023, 1, 9), new DateOnly(2023, 1, 30), RansomwareUse.Unknown, null, null, null, null, []),
    };

    private static EnrichmentValues Select(params string[] aliases) =>
        EnrichmentSelector.Select(aliases, c => Epss.TryGetValue(c, out var s) ? s : null, c => Kev.GetValueOrDefault(c));

    [Fact]
    public void Select_MaxEpssWithOwnPercentile_TieBrokenByPercentile()
    {
        var v = Select("GHSA-xxxx-yyyy-zzzz", "cve-2024-0001", "CVE-2024-0002", "CVE-2024-0003");
        Assert.Equal((0.40, 0.98, "CVE-2024-0003"), (v.Epss!.Value, v.EpssPercentile!.Value, v.EpssCve));
    }

    [Fact]
    public void Select_KevIfAnyListed_EarliestDateAndRansomwareKnownIfAny()
    {
        var v = Select("CVE-2024-0001", "CVE-2024-0004");
        Assert.True(v.Kev);
        Assert.Equal(new DateOnly(2023, 1, 9), v.KevDateAdded);
        Assert.Equal(new DateOnly(2023, 1, 30), v.KevDueDate);
        Assert.Equal(RansomwareUse.Known, v.KevRansomware);
        Assert.Equal(["CVE-2024-0001", "CVE-2024-0004"], v.KevCves);
    }

    [Fact]
    public void Select_NoCveInGroup_Nothing()
    {
        var v = Select("GHSA-aaaa-bbbb-cccc", "GO-2024-0001");
        Assert.Equal(EnrichmentValues.None with { KevCves = v.KevCves }, v);
        Assert.False(v.Kev);
        Assert.Null(v.Epss);
    }
}
