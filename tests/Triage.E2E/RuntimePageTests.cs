using System.IO.Compression;
using System.Text;
using Microsoft.Playwright;
using Triage.E2E.Pages;
using Triage.Testing;

namespace Triage.E2E;

/// <summary>The Runtime &amp; enrichment page in a real browser: a pod list with its cluster, a file the page cannot place
/// (an error naming it), the KEV catalog and an EPSS file with the data's dates. Screenshots to look at.</summary>
[Collection(AppCollection.Name)]
public sealed class RuntimePageTests(AppFixture app)
{
    [FixtureFact]
    public async Task Upload_PodsWithCluster_GovulncheckNeedsImage_KevAndEpss_ShowDataDates()
    {
        var page = await app.NewPageAsync();
        await new LoginPage(page).SignInAsync(AppFixture.AdminEmail, AppFixture.Password);
        var runtime = new RuntimePage(page);
        await runtime.OpenAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Runtime & enrichment");
        await runtime.ShotAsync("40-runtime-page");

        // A kubelet pod list: cluster from the form, workloads counted, scores recomputed.
        await runtime.FillClusterAsync("e2e-home");
        var pods = await runtime.UploadEvidenceAsync(TestPaths.Fixture("runtime", "k8s", "kubelet_pods.json"));
        Assert.Equal("done", await pods.GetAttributeAsync("data-state"));
        await Assertions.Expect(pods.Locator(".runtime-kind")).ToHaveTextAsync("kubernetes-pods");
        await Assertions.Expect(pods.Locator(".runtime-counts")).ToContainTextAsync("16 workloads");
        await Assertions.Expect(pods.Locator(".runtime-summary")).ToContainTextAsync("of cluster e2e-home");

        // govulncheck output names no image: refused, with the file and the field to fill in.
        var go = await runtime.UploadEvidenceAsync(TestPaths.Fixture("runtime", "govulncheck", "defectdojo_govulncheck_v114_stream.json"));
        Assert.Equal("failed", await go.GetAttributeAsync("data-state"));
        await Assertions.Expect(go.Locator(".runtime-error")).ToContainTextAsync("defectdojo_govulncheck_v114_stream.json: govulncheck output does not name an image: fill in Image");

        // KEV (the real catalog) and a small EPSS file of our own, gzip.
        var kev = await runtime.UploadEnrichmentAsync(TestPaths.Fixture("enrich", "kev", "known_exploited_vulnerabilities.json"));
        Assert.Contains(await kev.GetAttributeAsync("data-state"), new[] { "done", "duplicate" });
        var dir = Directory.CreateTempSubdirectory("triage-e2e-runtime-").FullName;
        var epssFile = Path.Combine(dir, "epss_scores-2025-08-24.csv.gz");
        await using (var gz = new GZipStream(File.Create(epssFile), CompressionLevel.Fastest))
            gz.Write(Encoding.UTF8.GetBytes("#model_version:v2025.03.14,score_date:2025-08-24T00:00:00+0000\ncve,epss,percentile\nCVE-2021-44228,0.94358,0.99957\nCVE-2024-0001,0.01,0.5\n"));
        var epss = await runtime.UploadEnrichmentAsync(epssFile);
        Assert.Equal("done", await epss.GetAttributeAsync("data-state"));
        await Assertions.Expect(epss.Locator(".enrich-feed")).ToHaveTextAsync("EPSS");
        await Assertions.Expect(epss.Locator(".enrich-date")).ToHaveTextAsync("data of 2025-08-24");

        // The data in use, with its dates; scheduled downloads are off (no URL configured).
        await Assertions.Expect(runtime.Feed("kev").Locator(".enrichment-data-date")).Not.ToHaveTextAsync("none imported");
        await Assertions.Expect(runtime.Feed("epss").Locator(".enrichment-data-date")).ToHaveTextAsync("2025-08-24");
        await Assertions.Expect(runtime.Feed("kev").Locator(".enrichment-download")).ToContainTextAsync("off");
        await runtime.ShotAsync("41-runtime-uploaded");
    }
}
