using Triage.Core.Domain;
using Triage.Data.Metrics;
using Triage.Testing;
using Triage.Testing.Metrics;

namespace Triage.Data.Tests.Metrics;

public sealed class LineageServiceTests
{
    private static DateTime At(int day) => new(2026, 4, day, 8, 0, 0, DateTimeKind.Utc);

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Replace_ChainsRepositories_RefusesCyclesAndForks_AndTheLineageListsImagesOverTime(string provider)
    {
        var cs = TestDatabases.New(provider);
        var h = new HistoryWriter(cs);
        await h.ScanAsync(At(1), HistoryWriter.Image("registry.example/api:1", HistoryWriter.Digest("api1"), [("bash", "5")], [("CVE-2026-1", "bash", Severity.High, null)], 90_000_000));
        await h.ScanAsync(At(8), HistoryWriter.Image("registry.example/api:2", HistoryWriter.Digest("api2"), [("bash", "5")], [], 91_000_000));
        await h.ScanAsync(At(15), HistoryWriter.Image("registry.example/api-slim:1", HistoryWriter.Digest("slim1"), [], [], 12_000_000, os: "wolfi", osVersion: "20230201"));
        await h.ScanAsync(At(16), HistoryWriter.Image("registry.example/other:1", HistoryWriter.Digest("other1"), [], []));

        await using var db = TriageDatabase.CreateContext(cs);
        var declared = await LineageService.ReplaceAsync(db, "registry.example/api", "registry.example/api-slim:1");
        Assert.Equal("registry.example/api-slim", declared.Name);
        Assert.NotNull(declared.ReplacesRepositoryId);

        Assert.Contains("cycle", (await Assert.ThrowsAsync<LineageException>(() => LineageService.ReplaceAsync(db, "registry.example/api-slim", "registry.example/api"))).Message);
        Assert.Contains("already replaced by", (await Assert.ThrowsAsync<LineageException>(() => LineageService.ReplaceAsync(db, "registry.example/api", "registry.example/other"))).Message);
        Assert.Contains("no repository", (await Assert.ThrowsAsync<LineageException>(() => LineageService.ReplaceAsync(db, "registry.example/nope", "registry.example/other"))).Message);

        var repo = await LineageQueries.FindRepositoryAsync(db, "registry.example/api-slim:1");
        var view = await LineageQueries.ForRepositoryAsync(db, repo!.Value.Id, At(20));
        Assert.NotNull(view);
        Assert.Equal(["registry.example/api", "registry.example/api-slim"], view.Repositories.Select(r => r.Name));
        Assert.Equal([90_000_000L, 91_000_000L, 12_000_000L], view.Images.Select(i => i.SizeBytes!.Value));
        Assert.Equal([false, false, true], view.Images.Select(i => i.Current));
        Assert.Equal("wolfi 20230201", view.Images[^1].Os);
        Assert.Equal(1, view.Images[0].Findings.High);

        var unlinked = await LineageService.UnlinkAsync(db, "registry.example/api-slim");
        Assert.Null(unlinked.ReplacesRepositoryId);
        var alone = await LineageQueries.ForRepositoryAsync(db, repo.Value.Id, At(20));
        Assert.Single(alone!.Repositories);
        TestDatabases.ClearPools();
    }
}
