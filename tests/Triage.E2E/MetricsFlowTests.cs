using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Triage.Core.Domain;
using Triage.Data;
using Triage.Data.Metrics;
using Triage.E2E.Pages;
using Triage.Testing;
using Triage.Testing.Metrics;
using Triage.Web.Infrastructure;

namespace Triage.E2E;

/// <summary>The weekly review in a real browser: a triager declares that a distroless nginx replaces the Debian one, then the
/// team reads the trend, opens the slimming win's comparison and the lineage; a viewer sees the same without the declaration.</summary>
[Collection(AppCollection.Name)]
public sealed class MetricsFlowTests(AppFixture app)
{
    private const string Debian = "docker.io/library/nginx";
    private const string Distroless = "registry.example/web/nginx-distroless";

    /// <summary>Four weeks of history through the real import path: Debian nginx (Trivy, then Grype on the same digest), an
    /// unrelated ClamAV image, then the distroless successor last week; each import scored as of its moment, as the app's
    /// import paths score, so every week has its priorities (ADR 108).</summary>
    private async Task<(long Debian, long Distroless)> SeedAsync()
    {
        var cs = app.Services.GetRequiredService<TriageConnection>().ConnectionString;
        await using (var db = TriageDatabase.CreateContext(cs))
            if (await LineageQueries.FindRepositoryAsync(db, Distroless) is null)
            {
                var now = DateTime.UtcNow;
                var history = new HistoryWriter(cs, score: true);
                await history.ImportFileAsync(now.AddDays(-28), TestPaths.Fixture("matched", "nginx-latest-debian13", "trivy.json"));
                await history.ImportFileAsync(now.AddDays(-21), TestPaths.Fixture("matched", "nginx-latest-debian13", "grype.json"));
                await history.ImportFileAsync(now.AddDays(-14), TestPaths.Fixture("matched", "clamav-alpine-3.22", "trivy.json"));
                await history.ImportFileAsync(now.AddDays(-7), TestPaths.Fixture("scanners", "trivy", "trivy-golden_distroless-base.json"),
                    $"{Distroless}@{HistoryWriter.Digest("nginx-distroless")}");
            }
        await using var read = TriageDatabase.CreateContext(cs);
        return ((await LineageQueries.FindRepositoryAsync(read, Debian))!.Value.Id, (await LineageQueries.FindRepositoryAsync(read, Distroless))!.Value.Id);
    }

    /// <summary>From the top: a full-page screenshot of a scrolled page paints the sticky app bar halfway down.</summary>
    private static async Task ShotAsync(BasePage page, string name)
    {
        await page.Page.EvaluateAsync("window.scrollTo(0, 0)");
        await page.ShotAsync(name);
    }

    [FixtureFact]
    public async Task Triager_DeclaresTheSwitch_ThenTheReviewShowsTheTrend_TheWin_AndWhy()
    {
        var (debianId, distrolessId) = await SeedAsync();
        await app.CreateUserAsync("trudy@example.test", "Trudy Triager", TriageRole.Triager);
        var page = await app.NewPageAsync();
        await new LoginPage(page).SignInAsync("trudy@example.test", AppFixture.Password);

        // --- the lineage page: declare that the distroless repository replaces the Debian one ---
        var lineage = new LineagePage(page);
        await lineage.OpenAsync(distrolessId);
        await Assertions.Expect(page.Locator("#lineage-reduction svg")).ToBeVisibleAsync();
        if (await page.Locator("#lineage-declare").CountAsync() > 0)
        {
            await lineage.DeclareReplacesAsync(Debian);
            await Assertions.Expect(page.Locator("#lineage-message")).ToContainTextAsync($"{Distroless} now replaces {Debian}");
        }
        await Assertions.Expect(lineage.Chain).ToContainTextAsync(Debian);
        await Assertions.Expect(page.Locator("#lineage-images tbody tr")).ToHaveCountAsync(2);
        await ShotAsync(lineage, "30-lineage");

        // Weeks already complete keep their numbers: recompute them with the lineage, as `triage metrics snapshot --rebuild` does.
        var run = await app.Services.GetRequiredService<MetricsSnapshotter>().RunAsync(rebuild: true);
        Assert.Null(run.Skipped);

        // --- the weekly review: trend, burndown, the week's causes, the slimming win ---
        var review = new WeeklyReviewPage(page);
        await page.Locator("#nav-metrics").ClickAsync();
        await review.TrendChart.WaitForAsync();
        await Assertions.Expect(review.Burndown).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#week-attribution")).ToBeVisibleAsync();
        Assert.Equal(0, await page.Locator("#attribution-mismatch").CountAsync());
        await Assertions.Expect(review.SlimmingWins).ToHaveCountAsync(1);
        await Assertions.Expect(review.SlimmingWins.First).ToContainTextAsync("nginx-distroless");
        await ShotAsync(review, "31-weekly-review");

        // --- why: the slimming win's comparison ---
        await review.ClickToAsync(review.SlimmingWins.First.Locator("a"), u => u.Contains("/compare?a=", StringComparison.Ordinal), "review-to-compare");
        var compare = new ComparePage(page);
        await compare.Attribution.WaitForAsync();
        var before = await compare.CauseAsync("before");
        var after = await compare.CauseAsync("after");
        Assert.Equal(4, after);
        // Each cause is shown with its sign (removals negative), so the rows sum from before to after.
        string[] causes = ["removedWithPackage", "fixedByUpgrade", "suppressedByDecision", "newlyDisclosed", "introducedByPackage"];
        var effects = new List<int>();
        foreach (var c in causes) effects.Add(await compare.CauseAsync(c));
        Assert.Equal(after, before + effects.Sum());
        await Assertions.Expect(page.Locator("#change-list")).ToBeVisibleAsync();
        await ShotAsync(compare, "32-compare");

        // --- the same comparison typed into the form ---
        await compare.CompareAsync("nginx:latest", Distroless);
        Assert.Equal(4, await compare.CauseAsync("after"));

        // --- one repository's weeks, and the printable review ---
        await review.OpenAsync($"repository={Uri.EscapeDataString(Debian)}");
        await Assertions.Expect(page.Locator("#review-repository")).ToContainTextAsync(Debian);
        await ShotAsync(review, "33-weekly-review-repository");
        await page.GotoAsync("/metrics/print?weeks=8");
        await page.Locator("#trend-by-severity svg").WaitForAsync();
        await ShotAsync(review, "34-weekly-review-print");
        var csv = await page.APIRequest.GetAsync(app.BaseUrl + "/metrics/weekly.csv");
        Assert.True(csv.Ok);

        // --- a viewer reads the lineage but cannot declare ---
        await app.CreateUserAsync("val@example.test", "Val Viewer", TriageRole.Viewer);
        var viewerPage = await app.NewPageAsync();
        await new LoginPage(viewerPage).SignInAsync("val@example.test", AppFixture.Password);
        var viewerLineage = new LineagePage(viewerPage);
        await viewerLineage.OpenAsync(debianId);
        await Assertions.Expect(viewerLineage.Chain).ToContainTextAsync(Distroless);
        Assert.Equal(0, await viewerLineage.Replace.CountAsync());
        await ShotAsync(viewerLineage, "35-lineage-viewer");
    }
}
