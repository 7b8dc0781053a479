using System.IO.Compression;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Triage.Core.Domain;
using Triage.Data;
using Triage.Data.Runtime;
using Triage.Testing;
using Triage.Web.Features.Runtime;
using Triage.Web.Infrastructure;
using Triage.Web.Infrastructure.Queue;

namespace Triage.Web.Tests.Features;

/// <summary>Scheduled KEV/EPSS downloads against a local HTTP server (no internet here): one instance of two downloads per
/// period, the next GET is conditional, failures and oversized answers are recorded with their reason.</summary>
public sealed class EnrichmentDownloaderTests : IAsyncLifetime
{
    private const string KevJson = """
        {"title":"CISA Catalog of Known Exploited Vulnerabilities","catalogVersion":"2025.08.25","dateReleased":"2025-08-25T17:01:12.0000Z","count":1,
         "vulnerabilities":[{"cveID":"CVE-2021-44228","vendorProject":"Apache","product":"Log4j2","vulnerabilityName":"Apache Log4j2 RCE",
         "dateAdded":"2021-12-10","shortDescription":"JNDI","requiredAction":"Apply updates","dueDate":"2021-12-24","knownRansomwareCampaignUse":"Known","notes":"","cwes":[]}]}
        """;

    private static readonly byte[] EpssGzip = Gzip("#model_version:v2025.03.14,score_date:2025-08-24T00:00:00+0000\ncve,epss,percentile\nCVE-2021-44228,0.94358,0.99957\n");
    private static readonly DateTimeOffset EpssModified = new(2025, 8, 24, 12, 0, 0, TimeSpan.Zero);

    private WebApplication _server = default!;
    private string _base = "";
    private readonly List<(string Path, string? IfNoneMatch, string? IfModifiedSince)> _requests = [];

    private static byte[] Gzip(string text)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(Encoding.UTF8.GetBytes(text));
        return ms.ToArray();
    }

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        _server = builder.Build();
        _server.Use(async (ctx, next) =>
        {
            lock (_requests) _requests.Add((ctx.Request.Path, ctx.Request.Headers.IfNoneMatch.FirstOrDefault(), ctx.Request.Headers.IfModifiedSince.FirstOrDefault()));
            await next();
        });
        _server.MapGet("/kev.json", (HttpContext ctx) =>
        {
            if (ctx.Request.Headers.IfNoneMatch == "\"kev-1\"") return Results.StatusCode(304);
            ctx.Response.Headers.ETag = "\"kev-1\"";
            return Results.Text(KevJson, "application/json");
        });
        _server.MapGet("/epss.csv.gz", (HttpContext ctx) =>
        {
            if (ctx.Request.GetTypedHeaders().IfModifiedSince >= EpssModified) return Results.StatusCode(304);
            ctx.Response.GetTypedHeaders().LastModified = EpssModified;
            return Results.Bytes(EpssGzip, "application/gzip");
        });
        _server.MapGet("/big.json", () => Results.Bytes(new byte[4096], "application/json"));
        await _server.StartAsync();
        _base = _server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private sealed class Clock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private sealed class Clients : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new();
    }

    private static EnrichmentDownloader Instance(string conn, EnrichmentDownloadOptions options, TimeProvider time) =>
        new(options, new EnrichmentService(conn, time: time), new Clients(), new QueueRuntime(new QueueOptions(), time), time,
            NullLogger<EnrichmentDownloader>.Instance, new TriageConnection(conn), new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());

    private static async Task<EnrichmentOverview> OverviewAsync(string conn)
    {
        await using var db = TriageDatabase.CreateContext(conn);
        return await EnrichmentSchedule.OverviewAsync(db);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task TwoInstances_OneDownloadsPerPeriod_ThenConditionalGetAnswers304(string provider)
    {
        var conn = TestDatabases.New(provider);
        await TriageDatabase.EnsureMigratedAsync(conn);
        var clock = new Clock(new DateTimeOffset(2026, 3, 1, 6, 0, 0, TimeSpan.Zero));
        var options = new EnrichmentDownloadOptions { KevUrl = _base + "/kev.json", EpssUrl = _base + "/epss.csv.gz", IntervalHours = 24 };
        var a = Instance(conn, options, clock);
        var b = Instance(conn, options, clock);

        Assert.Equal([EnrichmentFeed.Kev, EnrichmentFeed.Epss], await a.RunOnceAsync());
        Assert.Empty(await b.RunOnceAsync());
        Assert.Equal(2, _requests.Count);

        var overview = await OverviewAsync(conn);
        Assert.Equal(new DateOnly(2025, 8, 25), overview.Feed(EnrichmentFeed.Kev)!.DataDate);
        Assert.Equal(new DateOnly(2025, 8, 24), overview.Feed(EnrichmentFeed.Epss)!.DataDate);
        Assert.Equal(_base + "/kev.json", overview.Feed(EnrichmentFeed.Kev)!.Source);
        Assert.Equal(("imported", "\"kev-1\"", (string?)null), (overview.Downloads[EnrichmentFeed.Kev].Outcome, overview.Downloads[EnrichmentFeed.Kev].ETag,
            overview.Downloads[EnrichmentFeed.Kev].Error));
        Assert.Equal("imported", overview.Downloads[EnrichmentFeed.Epss].Outcome);

        // A day later the other instance's turn: the GETs carry the validators and the server answers 304.
        clock.Now = clock.Now.AddHours(25);
        Assert.Equal(2, (await b.RunOnceAsync()).Count);
        Assert.Empty(await a.RunOnceAsync());
        Assert.Equal(4, _requests.Count);
        Assert.Equal("\"kev-1\"", _requests[2].IfNoneMatch);
        Assert.NotNull(_requests[3].IfModifiedSince);
        overview = await OverviewAsync(conn);
        Assert.Equal("not_modified", overview.Downloads[EnrichmentFeed.Kev].Outcome);
        Assert.Equal("not_modified", overview.Downloads[EnrichmentFeed.Epss].Outcome);
        Assert.Equal(clock.Now.UtcDateTime, overview.Downloads[EnrichmentFeed.Epss].LastSuccessAt);
        Assert.Equal(new DateOnly(2025, 8, 24), overview.Downloads[EnrichmentFeed.Epss].DataDate);
    }

    [Fact]
    public async Task Failures_AreRecordedWithTheirReason_AndKeepTheDataInUse()
    {
        var conn = TestDatabases.NewSqlite();
        await TriageDatabase.EnsureMigratedAsync(conn);
        var clock = new Clock(new DateTimeOffset(2026, 3, 1, 6, 0, 0, TimeSpan.Zero));
        var missing = Instance(conn, new EnrichmentDownloadOptions { KevUrl = _base + "/missing.json" }, clock);
        Assert.Equal([EnrichmentFeed.Kev], await missing.RunOnceAsync());
        var kev = (await OverviewAsync(conn)).Downloads[EnrichmentFeed.Kev];
        Assert.Equal("failed", kev.Outcome);
        Assert.Contains("404", kev.Error);

        clock.Now = clock.Now.AddDays(2);
        var big = Instance(conn, new EnrichmentDownloadOptions { EpssUrl = _base + "/big.json", MaxDownloadBytes = 1024 }, clock);
        Assert.Equal([EnrichmentFeed.Epss], await big.RunOnceAsync());
        var epss = (await OverviewAsync(conn)).Downloads[EnrichmentFeed.Epss];
        Assert.Equal("failed", epss.Outcome);
        Assert.Contains("limit", epss.Error);
        Assert.Empty((await OverviewAsync(conn)).Feeds);
    }

    [Fact]
    public void Options_OffByDefault_AndRefuseAUrlThatIsNotHttp()
    {
        var off = new EnrichmentDownloadOptions();
        Assert.Null(off.Url(EnrichmentFeed.Kev));
        Assert.Empty(off.Validate());
        Assert.Contains(new EnrichmentDownloadOptions { KevUrl = "file:///etc/passwd" }.Validate(), e => e.Contains("KevUrl"));
    }
}
