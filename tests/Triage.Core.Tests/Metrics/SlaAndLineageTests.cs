using Triage.Core.Domain;
using Triage.Core.Metrics;

namespace Triage.Core.Tests.Metrics;

public sealed class SlaPolicyTests
{
    private static readonly DateTime Opened = new(2026, 3, 2, 9, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Breach_IsStrictlyLongerThanTheDays()
    {
        var sla = new SlaPolicy { Critical = 7 };
        Assert.False(sla.IsBreached(Severity.Critical, Opened, Opened.AddDays(7)));
        Assert.True(sla.IsBreached(Severity.Critical, Opened, Opened.AddDays(7).AddSeconds(1)));
        Assert.Equal(Opened.AddDays(7), sla.Deadline(Severity.Critical, Opened));
    }

    [Fact]
    public void SeverityWithoutDays_NeverBreaches_NegativeDaysAreRefused()
    {
        var sla = new SlaPolicy { Unknown = null };
        Assert.Null(sla.Deadline(Severity.Unknown, Opened));
        Assert.False(sla.IsBreached(Severity.Unknown, Opened, Opened.AddYears(5)));
        Assert.Throws<ArgumentException>(() => new SlaPolicy { High = -1 }.Validate());
    }

    [Fact]
    public void RemediationTotals_MeanIsTotalDaysOverCount_PerSeverity()
    {
        var totals = new RemediationTotals();
        totals.Add(Severity.High, Opened, Opened.AddDays(3));
        totals.Add(Severity.High, Opened, Opened.AddDays(10).AddHours(12));
        totals.Add(Severity.Low, Opened, Opened.AddHours(6));
        Assert.Equal(2, totals.Count(Severity.High));
        Assert.Equal(6.75, totals.MeanDays(Severity.High));
        Assert.Equal(0.25, totals.MeanDays(Severity.Low));
        Assert.Null(totals.MeanDays(Severity.Critical));
        Assert.Throws<ArgumentException>(() => totals.Add(Severity.Low, Opened, Opened.AddDays(-1)));
    }
}

public sealed class LineageTests
{
    private static readonly LineageRepository Debian = new(1, "registry.example/app", 7, null);
    private static readonly LineageRepository Distroless = new(2, "registry.example/app-distroless", 7, 1);
    private static readonly LineageRepository Other = new(3, "registry.example/other", null, null);

    [Fact]
    public void Build_ChainsReplacements_OldestFirst()
    {
        var renamed = new LineageRepository(4, "registry.example/app-v2", 7, 2);
        var lineages = Lineage.Build([renamed, Other, Distroless, Debian]);
        Assert.Equal(2, lineages.Count);
        var app = lineages.Single(l => l.Id == 1);
        Assert.Equal([1L, 2L, 4L], app.Repositories.Select(r => r.Id));
        Assert.Equal(4, app.Head.Id);
        Assert.Single(lineages.Single(l => l.Id == 3).Repositories);
    }

    [Fact]
    public void Build_DataNoDeclarationCouldMake_IsStillOneLineage()
    {
        var cycleA = new LineageRepository(10, "a", null, 11);
        var cycleB = new LineageRepository(11, "b", null, 10);
        var lineage = Assert.Single(Lineage.Build([cycleA, cycleB]));
        Assert.Equal([10L, 11L], lineage.Repositories.Select(r => r.Id));
    }

    [Fact]
    public void RefuseReplacement_SelfCycleSecondSuccessorAndSecondPredecessor()
    {
        LineageRepository[] repos = [Debian, Distroless, Other];
        Assert.Contains("itself", Lineage.RefuseReplacement(repos, 1, 1));
        Assert.Contains("cycle", Lineage.RefuseReplacement(repos, 2, 1));
        Assert.Contains("already replaced by", Lineage.RefuseReplacement(repos, 1, 3));
        Assert.Contains("already replaces", Lineage.RefuseReplacement(repos, 3, 2));
        Assert.Null(Lineage.RefuseReplacement(repos, 1, 2));
        Assert.Null(Lineage.RefuseReplacement(repos, 2, 3));
        Assert.Contains("does not exist", Lineage.RefuseReplacement(repos, 1, 99));
    }
}

public sealed class CurrentImagesTests
{
    private static DateTime D(int day, int hour = 0) => new(2026, 1, day, hour, 0, 0, DateTimeKind.Utc);

    private static DigestHistory Digest(long id, params DateTime[] scans) => new(id, 1, $"sha256:{id}", scans, 0, null, []);

    [Fact]
    public void ARebuild_SupersedesImagesNobodyScansAnyMore_ButNotImagesStillScanned()
    {
        var old = Digest(1, D(5), D(12));
        var parallel = Digest(2, D(6), D(20));
        var rebuilt = Digest(3, D(15));
        var digests = new[] { old, parallel, rebuilt };
        Assert.Empty(CurrentImages.At(digests, D(4)));
        Assert.Equal([1L, 2L], CurrentImages.At(digests, D(14)).Select(d => d.ArtifactId));
        Assert.Equal([3L], CurrentImages.At(digests, D(16)).Select(d => d.ArtifactId));
        Assert.Equal([2L, 3L], CurrentImages.At(digests, D(21)).Select(d => d.ArtifactId));
    }

    [Fact]
    public void ImageRunningInProduction_StaysCurrent()
    {
        var old = Digest(1, D(5));
        var rebuilt = Digest(2, D(15));
        var current = CurrentImages.At([old, rebuilt], D(16), (d, _) => d.ArtifactId == 1);
        Assert.Equal([1L, 2L], current.Select(d => d.ArtifactId));
    }
}
