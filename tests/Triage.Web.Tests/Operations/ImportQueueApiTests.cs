using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Triage.Data.Queue;
using Triage.Testing;

namespace Triage.Web.Tests.Operations;

/// <summary>POST /api/v1/scans through the durable queue: the contract is unchanged (201, 200 duplicate, 422, 413), every
/// upload leaves a job with its outcome, and jobs enqueued elsewhere or left by a dead instance are finished here.</summary>
public sealed class ImportQueueApiTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Upload_AnswersWithTheSummary_AndRecordsTheJob_DuplicateAndBadReportsToo(string provider)
    {
        await using var app = new OperationsFactory(provider);
        var api = await app.TriagerApiAsync();
        var report = SyntheticReports.Trivy(1, findings: 30);

        var created = await api.PostAsync("/api/v1/scans", OperationsFactory.Json(report));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using (var summary = JsonDocument.Parse(await created.Content.ReadAsStringAsync()))
        {
            Assert.Equal(30, summary.RootElement.GetProperty("findings").GetInt32());
            Assert.False(summary.RootElement.GetProperty("duplicate").GetBoolean());
        }
        var again = await api.PostAsync("/api/v1/scans", OperationsFactory.Json(report));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        using (var dup = JsonDocument.Parse(await again.Content.ReadAsStringAsync())) Assert.True(dup.RootElement.GetProperty("duplicate").GetBoolean());

        var bad = await api.PostAsync("/api/v1/scans", OperationsFactory.Json("{\"SchemaVersion\": 2, \"Results\": ["u8.ToArray()));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);

        var queue = app.Services.GetRequiredService<ImportQueue>();
        var jobs = await queue.BySha256Async(SyntheticReports.Sha256(report));
        Assert.Equal(2, jobs.Count);
        Assert.All(jobs, j => Assert.Equal(ImportJobState.Done, j.State));
        Assert.Contains("\"duplicate\":true", jobs[1].ResultJson);
        var failed = await queue.BySha256Async(SyntheticReports.Sha256("{\"SchemaVersion\": 2, \"Results\": ["u8.ToArray()));
        var f = Assert.Single(failed);
        Assert.Equal(ImportJobState.Failed, f.State);
        Assert.Equal("truncated", f.ErrorCode);
        Assert.Null((await queue.LoadAsync(f.Id))!.Content);

        await using var db = app.Db();
        Assert.Equal(1, await db.RawReports.CountAsync());
        Assert.Equal(1, await db.Scans.CountAsync());
    }

    [Fact]
    public async Task OverTheLimit_Is413_AndQueuesNothing()
    {
        await using var app = new OperationsFactory("sqlite", new Dictionary<string, string?> { ["Triage:Import:MaxReportBytes"] = "1000" });
        var api = await app.TriagerApiAsync();
        var response = await api.PostAsync("/api/v1/scans", OperationsFactory.Json(SyntheticReports.Trivy(2, findings: 40)));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await using var db = app.Db();
        Assert.Equal(0, await db.ImportJobs.CountAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task JobsQueuedElsewhere_AndJobsOfADeadInstance_AreFinishedByTheWorker_Once(string provider)
    {
        await using var app = new OperationsFactory(provider);
        var api = await app.TriagerApiAsync();   // starts the app (and its worker)
        var queue = new ImportQueue(app.AppConnectionString);
        var queued = SyntheticReports.Trivy(10);
        var orphan = SyntheticReports.Trivy(11);
        var queuedId = await queue.EnqueueAsync(new ImportJobRequest("queued.json", null, null, "other", 1 << 20), Gzip(queued),
            SyntheticReports.Sha256(queued), queued.Length, "another-instance");
        // An instance that claimed a job and died: its lease (1 s) runs out, and this app takes the job over.
        var dead = await queue.EnqueueClaimedAsync(new ImportJobRequest("orphan.json", null, null, "other", 1 << 20), Gzip(orphan),
            SyntheticReports.Sha256(orphan), orphan.Length, "dead-instance", TimeSpan.FromSeconds(1));

        var done = await WaitAsync(async () =>
        {
            var a = await queue.StatusAsync(queuedId);
            var b = await queue.StatusAsync(dead.JobId);
            return a!.State == ImportJobState.Done && b!.State == ImportJobState.Done ? (a, b) : default;
        }, TimeSpan.FromSeconds(30));
        Assert.Equal(2, done.b!.Attempts);
        Assert.NotEqual("dead-instance", done.b.ClaimedBy);

        // The dead instance's late completion is refused; the report landed once; a client retry is a duplicate.
        Assert.False(await queue.CompleteAsync(dead, "dead-instance", "{}"));
        await using (var db = app.Db()) Assert.Equal(2, await db.RawReports.CountAsync());
        var retry = await api.PostAsync("/api/v1/scans", OperationsFactory.Json(orphan));
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        await using (var db = app.Db()) Assert.Equal(2, await db.Scans.CountAsync());
    }

    internal static byte[] Gzip(byte[] raw)
    {
        using var ms = new MemoryStream();
        using (var gz = new System.IO.Compression.GZipStream(ms, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true)) gz.Write(raw);
        return ms.ToArray();
    }

    internal static async Task<T> WaitAsync<T>(Func<Task<T?>> probe, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = await probe();
            if (value is not null && !EqualityComparer<T>.Default.Equals(value, default!)) return value;
            if (DateTime.UtcNow > until) throw new TimeoutException($"not reached within {timeout}");
            await Task.Delay(200);
        }
    }
}
