using System.Net;
using Microsoft.EntityFrameworkCore;
using Triage.Data;
using Triage.Data.Queue;
using Triage.Testing;

namespace Triage.E2E.ScaleOut;

/// <summary>An instance killed (SIGKILL) in the middle of an import, with its transaction open: another instance takes the
/// job over when the lease runs out and finishes it; the report lands exactly once, and the client's retry of the same
/// bytes answers with the duplicate.</summary>
[Collection(ScaleOutCollection.Name)]
public sealed class KilledInstanceTests
{
    [Fact]
    public async Task AnInstanceKilledMidImport_AnotherFinishesIt_ItLandsExactlyOnce()
    {
        var db = TestDatabases.NewPostgres();
        var common = new Dictionary<string, string>
        {
            ["ConnectionStrings:Triage"] = db,
            ["ConnectionStrings:Redis"] = ScaleOut.Redis,
            ["Triage:Admin:Email"] = ScaleOut.AdminEmail,
            ["Triage:Admin:Password"] = ScaleOut.Password,
            // Long enough that instance A, busy on a loaded CI machine, renews it before it runs out; short enough to wait for.
            ["Triage:Queue:LeaseSeconds"] = "5",
            ["Triage:Queue:PollSeconds"] = "0.5",
        };
        // Instance A stops inside every import's transaction, just before the commit (fault injection).
        await using var a = await AppProcess.StartAsync(new Dictionary<string, string>(common) { ["Triage:Queue:PauseBeforeCommitMs"] = "120000" });
        await using var b = await AppProcess.StartAsync(common);
        var token = await ScaleOut.CreateTokenAsync(db, ScaleOut.AdminEmail);
        var report = SyntheticReports.Trivy(900, findings: 500);
        var sha = SyntheticReports.Sha256(report);

        var upload = ScaleOut.Api(a.BaseUrl, token).PostAsync("/api/v1/scans", ScaleOut.Json(report));
        await a.WaitForOutputAsync("Fault injection: import job", TimeSpan.FromSeconds(60));
        var queue = new ImportQueue(db);
        var job = Assert.Single(await queue.BySha256Async(sha));
        Assert.Equal(ImportJobState.Running, job.State);
        Assert.True(job.ClaimedBy?.Contains($"/{a.Pid}/", StringComparison.Ordinal), $"claimed by {job.ClaimedBy}, not A ({a.Pid}); A said:\n{a.Output}\nB said:\n{b.Output}");

        a.Kill();
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => upload);

        // B takes the job over once A's lease has run out, and imports it.
        var done = await ScaleOut.WaitAsync(async () => (await queue.StatusAsync(job.Id)) is { State: ImportJobState.Done } j ? j : null,
            TimeSpan.FromSeconds(60), "job finished by instance B");
        Assert.True(done.ClaimedBy?.Contains($"/{b.Pid}/", StringComparison.Ordinal), $"finished by {done.ClaimedBy}, not B ({b.Pid}); B said:\n{b.Output}");
        Assert.True(done.Attempts == 2, $"attempts {done.Attempts}; instance B said:\n{b.Output}");
        Assert.Contains("\"duplicate\":false", done.ResultJson);

        await using (var ctx = TriageDatabase.CreateContext(db))
        {
            Assert.Equal(1, await ctx.RawReports.CountAsync(r => r.Sha256 == sha));
            Assert.Equal(1, await ctx.Scans.CountAsync());
            Assert.Equal(500, await ctx.Findings.CountAsync());
        }

        // The client, having lost its connection, sends the same bytes again (to the instance still standing): duplicate.
        var retry = await ScaleOut.Api(b.BaseUrl, token).PostAsync("/api/v1/scans", ScaleOut.Json(report));
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Contains("\"duplicate\":true", await retry.Content.ReadAsStringAsync());
        await using (var ctx = TriageDatabase.CreateContext(db))
        {
            Assert.Equal(1, await ctx.Scans.CountAsync());
            Assert.Equal(500, await ctx.Findings.CountAsync());
        }
    }
}
