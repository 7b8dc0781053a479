using Bunit;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.Logging.Abstractions;
using Triage.Core.Domain;
using Triage.Core.Ingest;
using Triage.Data.Runtime;
using Triage.Web.Components.Shared;
using Triage.Web.Features.Runtime;

namespace Triage.Web.Tests.Components;

/// <summary>The Runtime page's pieces: each file's outcome with its counts or an error naming it, KEV/EPSS with the data's
/// date, the scheduled downloads' status, and the upload loop every upload page shares.</summary>
public sealed class RuntimeUploadTests : ComponentTest
{
    private static RuntimeIngestSummary PodsSummary() => new()
    {
        File = "pods.json", Kind = "kubernetes-pods", Sha256 = new string('a', 64),
        Inventory = new InventorySummary("kubectl", "prod-eu", new DateTime(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc), 12, 12, 7, 3, ["prod"], 2, "namespaces:shop", "a list of one namespace"),
        Refresh = new RiskRefreshResult(2, 0, 40, new Dictionary<string, int>(), 5),
    };

    [Fact]
    public void EvidenceResults_Done_ShowKindCountsAndScored_Failed_NamesTheFile()
    {
        var done = new RuntimeUploadItem("pods.json", 2048) { State = UploadState.Done, Summary = PodsSummary() };
        var failed = new RuntimeUploadItem("govulncheck.json", 100) { State = UploadState.Failed, Error = "govulncheck output does not name an image: fill in Image" };
        var cut = Render<RuntimeUploadResults>(p => p.Add(x => x.Items, [failed, done]));

        var items = cut.FindAll(".runtime-item");
        Assert.Equal(["failed", "done"], items.Select(i => i.GetAttribute("data-state")));
        Assert.Equal("govulncheck.json: govulncheck output does not name an image: fill in Image", cut.Find(".runtime-error").TextContent.Trim());
        Assert.Equal("not imported", items[0].QuerySelector(".runtime-status")!.TextContent.Trim());
        Assert.Equal("ingested", items[1].QuerySelector(".runtime-status")!.TextContent.Trim());
        Assert.Equal("kubernetes-pods", cut.Find(".runtime-kind").TextContent.Trim());
        Assert.Contains("12 workloads (12 new)", cut.Find(".runtime-counts").TextContent);
        Assert.Contains("2 scanned", cut.Find(".runtime-counts").TextContent);
        Assert.Equal("covers namespaces:shop", cut.Find(".runtime-coverage").TextContent.Trim());
        Assert.Contains("40 findings scored", cut.Find(".runtime-refresh").TextContent);
        Assert.Contains("of cluster prod-eu", cut.Find(".runtime-summary").TextContent);
    }

    [Fact]
    public void EnrichmentResults_ShowFeedAndTheDataDate()
    {
        var item = new EnrichmentUploadItem("epss_scores-2025-08-25.csv.gz", 1 << 20)
        {
            State = UploadState.Done,
            Summary = new EnrichmentSummary
            {
                Source = "epss_scores-2025-08-25.csv.gz", Feed = "epss", Format = "csv.gz", Version = "v2025.03.14", DataDate = new DateOnly(2025, 8, 25),
                Rows = 300_000, Added = 300_000, Sha256 = new string('b', 64),
            },
        };
        var cut = Render<EnrichmentUploadResults>(p => p.Add(x => x.Items, [item]));
        Assert.Equal("EPSS", cut.Find(".enrich-feed").TextContent.Trim());
        Assert.Equal("data of 2025-08-25", cut.Find(".enrich-date").TextContent.Trim());
        Assert.Contains("300,000 rows", cut.Find(".enrich-counts").TextContent);
    }

    [Fact]
    public void StatusPanel_DataInUse_DownloadOff_Failed_NotRunYet()
    {
        var overview = new EnrichmentOverview(
            [new EnrichmentFeedStatus(EnrichmentFeed.Kev, "json", "2025.08.25", new DateOnly(2025, 8, 25), 1400, "kev.json", new DateTime(2026, 3, 1, 6, 0, 0, DateTimeKind.Utc), "ada")],
            new Dictionary<EnrichmentFeed, EnrichmentDownloadState>
            {
                [EnrichmentFeed.Epss] = new() { Url = "https://epss.example/epss.csv.gz", LastAttemptAt = new DateTime(2026, 3, 2, 6, 0, 0, DateTimeKind.Utc), Outcome = "failed", Error = "https://epss.example/epss.csv.gz answered 503 Service Unavailable" },
            });
        var off = Render<EnrichmentStatusPanel>(p => p.Add(x => x.Overview, overview).Add(x => x.Schedule, new EnrichmentDownloadOptions()));
        Assert.Equal("2025-08-25", off.Find("tr[data-feed=kev] .enrichment-data-date").TextContent.Trim());
        Assert.Equal("none imported", off.Find("tr[data-feed=epss] .enrichment-data-date").TextContent.Trim());
        Assert.Contains("off (no URL configured)", off.Find("tr[data-feed=kev] .enrichment-download").TextContent);

        var on = Render<EnrichmentStatusPanel>(p => p.Add(x => x.Overview, overview)
            .Add(x => x.Schedule, new EnrichmentDownloadOptions { KevUrl = "https://kev.example/kev.json", EpssUrl = "https://epss.example/epss.csv.gz" }));
        Assert.Contains("not run yet", on.Find("tr[data-feed=kev] .enrichment-download").TextContent);
        Assert.Contains("failed", on.Find("tr[data-feed=epss] .enrichment-download").TextContent);
        Assert.Contains("503 Service Unavailable", on.Find("tr[data-feed=epss] .enrichment-download-error").TextContent);
    }

    private sealed class FakeFile(string name, long size) : IBrowserFile
    {
        public string Name => name;
        public DateTimeOffset LastModified => DateTimeOffset.UnixEpoch;
        public long Size => size;
        public string ContentType => "application/json";
        public Stream OpenReadStream(long maxAllowedSize = 512000, CancellationToken cancellationToken = default) => new MemoryStream(new byte[size]);
    }

    [Fact]
    public async Task Runner_OneFileAfterAnother_DuplicateFailedWithReason_OthersStillRun()
    {
        IBrowserFile[] files = [new FakeFile("a.json", 10), new FakeFile("b.json", 10), new FakeFile("c.json", 10), new FakeFile("d.json", 10)];
        var items = files.Select(f => new UploadItem(f.Name, f.Size)).ToList();
        var order = new List<string>();
        await FileUploadRunner.RunAsync(files, items, async (file, item, progress) =>
        {
            order.Add(file.Name);
            await using var s = FileUploadRunner.Open(file, 100, progress, "file", default);
            await s.CopyToAsync(Stream.Null);
            return file.Name switch
            {
                "b.json" => true,
                "c.json" => throw new ReportFormatException(ReportErrorCode.InvalidJson, "not JSON", line: 3, bytePosition: 7),
                "d.json" => throw new ArgumentException("the slim report names no original image: fill in Image"),
                _ => false,
            };
        }, () => Task.CompletedTask, NullLogger.Instance, default);

        Assert.Equal(["a.json", "b.json", "c.json", "d.json"], order);
        Assert.Equal([UploadState.Done, UploadState.Duplicate, UploadState.Failed, UploadState.Failed], items.Select(i => i.State));
        Assert.Equal("not JSON (line 3, byte 7)", items[2].Error);
        Assert.Equal("the slim report names no original image: fill in Image", items[3].Error);
    }

    [Fact]
    public void Open_FileOverTheLimit_RefusedBeforeReading()
    {
        var e = Assert.Throws<ReportFormatException>(() => FileUploadRunner.Open(new FakeFile("huge.json", 2048), 1024, null, "file", default));
        Assert.Equal(ReportErrorCode.TooLarge, e.Code);
        Assert.Contains("limit of 1 KiB", e.Message);
    }
}
