using System.Collections.Concurrent;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Triage.Data.Queue;
using Triage.Testing;

namespace Triage.Web.Tests.Operations;

/// <summary>PostgreSQL restarted during a run of imports: every report lands exactly once, and readiness says so.</summary>
public sealed class PostgresRestartTests
{
    [Fact]
    public async Task ImportsGoOnThroughAPostgresRestart_NothingLostNothingDoubled()
    {
        await using var pg = await PrivatePostgres.StartAsync();
        var database = $"restart_{Guid.NewGuid():N}";
        await using (var admin = new NpgsqlConnection(pg.ConnectionString()))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", admin);
            await create.ExecuteNonQueryAsync();
        }
        await using var app = new OperationsFactory(TestDatabases.Postgres, new Dictionary<string, string?>
        {
            ["ConnectionStrings:Triage"] = pg.ConnectionString(database),
            ["Triage:Queue:RetrySeconds"] = "60",
        });
        var api = await app.TriagerApiAsync();
        var web = app.CreateClient();

        const int reports = 12;
        var statuses = new ConcurrentBag<HttpStatusCode>();
        var next = 0;
        var restarted = new TaskCompletionSource();
        // Three uploaders, one report after another each; a client retries a 503 (as a CI job would), at most 10 times.
        var uploaders = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) <= reports)
            {
                if (i == 5) await restarted.Task.WaitAsync(TimeSpan.FromSeconds(60)); // some uploads land during the restart
                var bytes = SyntheticReports.Trivy(100 + i, findings: 200);
                for (var attempt = 0; ; attempt++)
                {
                    HttpResponseMessage response;
                    try { response = await api.PostAsync("/api/v1/scans", OperationsFactory.Json(bytes)); }
                    catch (HttpRequestException) when (attempt < 10) { await Task.Delay(500); continue; }
                    if (response.StatusCode == HttpStatusCode.ServiceUnavailable && attempt < 10) { await Task.Delay(1000); continue; }
                    statuses.Add(response.StatusCode);
                    break;
                }
            }
        })).ToList();

        // Restart while imports run.
        await ImportQueueApiTests.WaitAsync(async () =>
        {
            await using var db = app.Db();
            return await db.ImportJobs.CountAsync() >= 3 ? "started" : null;
        }, TimeSpan.FromSeconds(60));
        await pg.StopServerAsync();
        var down = await web.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        await Task.Delay(1500);
        await pg.StartServerAsync();
        restarted.SetResult();
        await Task.WhenAll(uploaders).WaitAsync(TimeSpan.FromMinutes(3));

        Assert.Equal(reports, statuses.Count);
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.Created or HttpStatusCode.OK, $"status {s}"));
        // A job whose outcome could not be written during the restart is finished by the worker once its lease runs out.
        await ImportQueueApiTests.WaitAsync(async () =>
        {
            await using var db = app.Db();
            return await db.ImportJobs.AnyAsync(j => j.State == ImportJobState.Queued || j.State == ImportJobState.Running) ? null : "settled";
        }, TimeSpan.FromSeconds(60));
        await using (var db = app.Db())
        {
            Assert.Equal(reports, await db.RawReports.CountAsync());
            Assert.Equal(reports, await db.Scans.CountAsync());
            Assert.Equal(reports, await db.RawReports.Select(r => r.Sha256).Distinct().CountAsync());
            Assert.Equal(reports * 200, await db.Findings.CountAsync());
            // Every job finished; none is left running or failed.
            Assert.Equal(0, await db.ImportJobs.CountAsync(j => j.State != ImportJobState.Done));
        }
        Assert.Equal(HttpStatusCode.OK, (await HealthAndTelemetryTests.WaitReadyAsync(web)).StatusCode);
    }
}
