using Microsoft.Extensions.DependencyInjection;
using Triage.Data.Metrics;
using Triage.Testing;
using Triage.Testing.Metrics;
using Triage.Web.Tests.Infrastructure;

namespace Triage.Web.Tests.Features.Metrics;

/// <summary>
/// The app with a real lineage: nginx:latest on Debian 13 scanned three weeks ago, replaced by a distroless nginx scanned a
/// week ago, and the weekly snapshots computed (the background run is off, so the tests see one fixed state).
/// </summary>
public sealed class MetricsWebFactory : TriageWebFactory, IAsyncLifetime
{
    public const string Debian = "docker.io/library/nginx";
    public const string Distroless = "registry.example/web/nginx-distroless";
    public static readonly string DistrolessRef = $"{Distroless}@{HistoryWriter.Digest("nginx-distroless")}";

    public MetricsWebFactory() : base("sqlite", seedAdmin: true, new Dictionary<string, string?> { ["Triage:Metrics:SnapshotInBackground"] = "false" }) { }

    public long DebianRepositoryId { get; private set; }
    public long DistrolessRepositoryId { get; private set; }

    public async Task InitializeAsync()
    {
        _ = Services; // starts the app, which migrates the database
        if (!TestPaths.SharedFixturesPresent && !TestPaths.InCi) return; // the [FixtureFact]s skip; in CI TestPaths.Fixture fails
        var now = DateTime.UtcNow;
        var history = new HistoryWriter(ConnectionString);
        await history.ImportFileAsync(now.AddDays(-21), TestPaths.Fixture("matched", "nginx-latest-debian13", "trivy.json"));
        await history.ImportFileAsync(now.AddDays(-7), TestPaths.Fixture("scanners", "trivy", "trivy-golden_distroless-base.json"), DistrolessRef);
        await using (var db = Db())
        {
            await LineageService.ReplaceAsync(db, Debian, Distroless);
            DebianRepositoryId = (await LineageQueries.FindRepositoryAsync(db, Debian))!.Value.Id;
            DistrolessRepositoryId = (await LineageQueries.FindRepositoryAsync(db, Distroless))!.Value.Id;
        }
        var run = await Services.GetRequiredService<MetricsSnapshotter>().RunAsync();
        Assert.Null(run.Skipped);
    }

    Task IAsyncLifetime.DisposeAsync() => Task.CompletedTask;
}
