using Bunit;
using Triage.Core.Metrics;
using Triage.Data.Metrics;
using Triage.Data.Queries;
using Triage.Web.Features.Metrics;

namespace Triage.Web.Tests.Components;

public sealed class AttributionTableTests : ComponentTest
{
    [Fact]
    public void Causes_AreSignedByTheirEffect_AndNetsShowTheirParts()
    {
        // 10 − 3 removed − 2 upgraded − (2 suppressed − 1 lifted) + (4 disclosed − 1 withdrawn) + 1 introduced = 8
        var counts = new AttributionCounts(10, 8, 3, 2, 2, 1, 4, 1, 1);
        Assert.True(counts.AddsUp);
        var cut = Render<AttributionTable>(p => p.Add(x => x.Counts, counts));
        Assert.Equal("−3", cut.Find("[data-cause-value=removedWithPackage]").TextContent);
        Assert.Equal("−2", cut.Find("[data-cause-value=fixedByUpgrade]").TextContent);
        Assert.Equal("−1", cut.Find("[data-cause-value=suppressedByDecision]").TextContent);
        Assert.Equal("+3", cut.Find("[data-cause-value=newlyDisclosed]").TextContent);
        Assert.Equal("+1", cut.Find("[data-cause-value=introducedByPackage]").TextContent);
        Assert.Contains("2 suppressed, 1 no longer", cut.Find("tr[data-cause=suppressedByDecision]").TextContent);
        Assert.Empty(cut.FindAll("#attribution-mismatch"));
    }

    [Fact]
    public void CountsThatDoNotAddUp_AreFlagged()
    {
        var cut = Render<AttributionTable>(p => p.Add(x => x.Counts, new AttributionCounts(10, 9, 3, 0, 0, 0, 0, 0, 0)));
        Assert.NotNull(cut.Find("#attribution-mismatch"));
    }
}

public sealed class ReviewChartsTests
{
    private static LineageImage Image(string repository, string? tag, string digest, SeverityCounts findings) =>
        new(1, 1, repository, digest, tag is null ? [] : [tag], "debian", "12", null, null, 3, DateTime.UtcNow, DateTime.UtcNow, 1, findings, true);

    [Fact]
    public void FindingsPerImage_LeavesOutSeveritiesThatAreZeroOnEveryImage_WithTheirColours()
    {
        IReadOnlyList<LineageImage> images =
        [
            Image("docker.io/library/nginx", "latest", "sha256:" + new string('a', 64), new SeverityCounts(2, 10, 0, 5, 0)),
            Image("registry.example/web/nginx-distroless", null, "sha256:3f2a" + new string('b', 60), new SeverityCounts(0, 1, 0, 0, 0)),
        ];
        var (series, palette) = ReviewCharts.FindingsPerImage(images);
        Assert.Equal(["critical", "high", "low"], series.Select(s => s.Name));
        Assert.Equal([ReviewCharts.SeverityPalette[0], ReviewCharts.SeverityPalette[1], ReviewCharts.SeverityPalette[3]], palette);
        Assert.Equal(["nginx:latest", "nginx-distroless@3f2a"], ReviewCharts.ImageLabels(images));
    }
}

public sealed class LineageReductionChartTests : ComponentTest
{
    [Fact]
    public void NoImage_SaysSo_AndDrawsNoChart()
    {
        var cut = Render<LineageReductionChart>(p => p.Add(x => x.Images, Array.Empty<LineageImage>()));
        Assert.Empty(cut.FindAll("#lineage-reduction"));
        Assert.Contains("No image", cut.Markup);
    }
}
