using Microsoft.EntityFrameworkCore;
using Triage.Core.Ingest;
using Triage.Data.Import;
using Triage.Testing;

namespace Triage.Data.Tests.Import;

/// <summary>ReportImporter.ImportManyAsync: several reports in order, the next one read while the current one is stored.</summary>
public class ImportManyTests
{
    private static readonly string Small = File.ReadAllText(TestPaths.Local("Triage.Cli.Tests", "small-trivy.json"));

    /// <summary>The small fixture for another image (other bytes, other artifact).</summary>
    private static byte[] ReportFor(int n) => System.Text.Encoding.UTF8.GetBytes(
        Small.Replace("registry.example/team/api", $"registry.example/team/api{n}").Replace(new string('1', 64), n.ToString("x64", System.Globalization.CultureInfo.InvariantCulture)));

    private sealed class Log
    {
        public readonly List<string> Events = [];
        public ReportSource Source(string name, byte[]? bytes, long? length = null) => new(name, () =>
        {
            lock (Events) Events.Add("open " + name);
            return bytes is null ? throw new FileNotFoundException("no such file", name) : new MemoryStream(bytes, writable: false);
        }, length ?? bytes?.Length);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task ImportMany_ReportsLandInOrder_EachBadOneFailsAloneAndStoresNothing(string provider)
    {
        var conn = TestDatabases.New(provider);
        var log = new Log();
        var good0 = ReportFor(0);
        var sources = new[]
        {
            log.Source("a.json", good0),
            log.Source("truncated.json", good0[..(good0.Length / 2)]),
            log.Source("b.json", ReportFor(1)),
            log.Source("missing.json", null),
            log.Source("c.json", ReportFor(2)),
            log.Source("again-a.json", good0),
        };
        var results = new List<(string File, ImportSummary? Summary, Exception? Error)>();
        await new ReportImporter(conn).ImportManyAsync(sources, new ImportOptions(), (s, summary, error) =>
        {
            results.Add((s.FileName, summary, error));
            return Task.CompletedTask;
        });

        Assert.Equal(["a.json", "truncated.json", "b.json", "missing.json", "c.json", "again-a.json"], results.Select(r => r.File));
        Assert.All(results.Where(r => r.File is "a.json" or "b.json" or "c.json"), r => Assert.Equal(2, r.Summary!.NewFindings));
        var truncated = Assert.IsType<ReportFormatException>(results[1].Error);
        Assert.Null(results[1].Summary);
        Assert.Equal(ReportErrorCode.Truncated, truncated.Code);
        Assert.IsType<FileNotFoundException>(results[3].Error);
        Assert.True(results[5].Summary!.Duplicate);
        Assert.Equal(results[0].Summary!.Sha256, results[5].Summary!.Sha256);

        await using var db = TriageDatabase.CreateContext(conn);
        Assert.Equal(3, await db.RawReports.CountAsync());
        Assert.Equal(3, await db.Scans.CountAsync());
        Assert.Equal(6, await db.Findings.CountAsync());
        Assert.Equal(["api0", "api1", "api2"], (await db.Repositories.Select(r => r.Name).ToListAsync()).Select(n => n[(n.LastIndexOf('/') + 1)..]).Order());
    }

    [Fact]
    public async Task ImportMany_ALargeNextReport_IsReadOnlyAfterTheCurrentOneIsStored()
    {
        var conn = TestDatabases.NewSqlite();
        var log = new Log();
        // Lengths as the caller knows them (a file's size): the second one is over the read-ahead limit.
        var sources = new[] { log.Source("first.json", ReportFor(0)), log.Source("large.json", ReportFor(1), length: 1 << 30), log.Source("last.json", ReportFor(2)) };
        await new ReportImporter(conn).ImportManyAsync(sources, new ImportOptions(), (s, summary, error) =>
        {
            Assert.Null(error);
            lock (log.Events) log.Events.Add("stored " + s.FileName);
            return Task.CompletedTask;
        }, prefetchBytes: 1 << 20);

        var events = log.Events;
        Assert.True(events.IndexOf("open large.json") > events.IndexOf("stored first.json"), string.Join(", ", events));
        Assert.Equal(["first.json", "large.json", "last.json"], events.Where(e => e.StartsWith("stored ", StringComparison.Ordinal)).Select(e => e[7..]));
        // A small next report may be read beside the large one's store, but it is never stored before it.
        Assert.True(events.IndexOf("open last.json") > events.IndexOf("open large.json"));
    }

    [Fact]
    public async Task ImportMany_AnErrorOfTheCallback_EndsTheRunAndLeavesWhatLandedWhole()
    {
        var conn = TestDatabases.NewSqlite();
        var log = new Log();
        var sources = new[] { log.Source("a.json", ReportFor(0)), log.Source("b.json", ReportFor(1)), log.Source("c.json", ReportFor(2)) };
        var seen = new List<string>();
        // No group commit: each report commits alone, so the run stops right after b.
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => new ReportImporter(conn).ImportManyAsync(sources, new ImportOptions(), (s, _, _) =>
        {
            seen.Add(s.FileName);
            return s.FileName == "b.json" ? throw new InvalidOperationException("stop") : Task.CompletedTask;
        }, groupWindow: TimeSpan.Zero));

        Assert.Equal("stop", e.Message);
        Assert.Equal(["a.json", "b.json"], seen);
        await using var db = TriageDatabase.CreateContext(conn);
        Assert.Equal(2, await db.Scans.CountAsync());
        Assert.Equal(4, await db.Findings.CountAsync());
    }

    [Fact]
    public async Task ImportMany_InOneGroup_TheCallbackSeesEveryReportOnlyAfterItsGroupCommitted_AndItsErrorComesAfterTheGroup()
    {
        var conn = TestDatabases.NewSqlite();
        var log = new Log();
        var sources = new[] { log.Source("a.json", ReportFor(0)), log.Source("b.json", ReportFor(1)), log.Source("c.json", ReportFor(2)) };
        var seen = new List<(string File, int ScansVisible)>();
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => new ReportImporter(conn).ImportManyAsync(sources, new ImportOptions(), async (s, _, _) =>
        {
            // Another connection sees what the callback is told about: it has landed (and so has the rest of its group).
            await using var other = TriageDatabase.CreateContext(conn);
            seen.Add((s.FileName, await other.Scans.CountAsync()));
            if (s.FileName == "b.json") throw new InvalidOperationException("stop");
            if (s.FileName == "c.json") throw new InvalidOperationException("a later error");
        }, groupWindow: TimeSpan.FromMinutes(5)));

        // Every report of the group is reported even when callbacks fail; the first failure is the one that ends the run.
        Assert.Equal("stop", e.Message);
        Assert.Equal([("a.json", 3), ("b.json", 3), ("c.json", 3)], seen);
    }

    /// <summary>Fails the <paramref name="failOn"/>-th report (1-based) just before its commit, after all its rows are written.</summary>
    private static ImportOptions FailingBeforeCommit(int failOn, Func<Exception> error)
    {
        var calls = 0;
        return new ImportOptions { BeforeCommit = _ => Interlocked.Increment(ref calls) == failOn ? throw error() : Task.CompletedTask };
    }

    public static TheoryData<string, bool> ProvidersGroupedOrNot() => new()
    {
        { TestDatabases.Sqlite, true }, { TestDatabases.Sqlite, false }, { TestDatabases.Postgres, true }, { TestDatabases.Postgres, false },
    };

    [Theory]
    [MemberData(nameof(ProvidersGroupedOrNot))]
    public async Task ImportMany_AReportThatFailsWhileStored_IsRolledBackAlone_TheRestOfItsGroupLands(string provider, bool grouped)
    {
        var conn = TestDatabases.New(provider);
        var log = new Log();
        var sources = new[] { log.Source("a.json", ReportFor(0)), log.Source("b.json", ReportFor(1)), log.Source("c.json", ReportFor(2)) };
        var results = new List<(string File, ImportSummary? Summary, Exception? Error)>();
        await new ReportImporter(conn).ImportManyAsync(sources, FailingBeforeCommit(2, () => new ArgumentException("b cannot be stored")), (s, summary, error) =>
        {
            results.Add((s.FileName, summary, error));
            return Task.CompletedTask;
        }, groupWindow: grouped ? TimeSpan.FromMinutes(5) : TimeSpan.Zero);

        Assert.Equal(["a.json", "b.json", "c.json"], results.Select(r => r.File));
        Assert.Equal("b cannot be stored", Assert.IsType<ArgumentException>(results[1].Error).Message);
        Assert.Null(results[1].Summary);
        Assert.Equal(2, results[2].Summary!.NewFindings);
        await using var db = TriageDatabase.CreateContext(conn);
        // b's raw report, scan, image, packages and findings were all written before it failed: none of them stayed.
        Assert.Equal(2, await db.RawReports.CountAsync());
        Assert.Equal(2, await db.Scans.CountAsync());
        Assert.Equal(4, await db.Findings.CountAsync());
        Assert.Equal(["api0", "api2"], (await db.Repositories.Select(r => r.Name).ToListAsync()).Select(n => n[(n.LastIndexOf('/') + 1)..]).Order());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task ImportMany_ADatabaseErrorInAGroup_EndsTheRun_NothingOfTheGroupLandsOrIsReported(string provider)
    {
        var conn = TestDatabases.New(provider);
        var log = new Log();
        var sources = new[] { log.Source("a.json", ReportFor(0)), log.Source("b.json", ReportFor(1)), log.Source("c.json", ReportFor(2)) };
        var seen = new List<string>();
        var e = await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() => new ReportImporter(conn).ImportManyAsync(sources,
            FailingBeforeCommit(2, () => new Microsoft.Data.Sqlite.SqliteException("disk I/O error", 10)), (s, _, _) =>
            {
                seen.Add(s.FileName);
                return Task.CompletedTask;
            }, groupWindow: TimeSpan.FromMinutes(5)));

        Assert.Equal("disk I/O error", e.Message);
        // a was stored in the same group as b: it rolled back with it, and it was never reported as landed.
        Assert.Empty(seen);
        await using var db = TriageDatabase.CreateContext(conn);
        Assert.Equal(0, await db.RawReports.CountAsync());
        Assert.Equal(0, await db.Findings.CountAsync());
    }
}
