using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Data.Queries;
using Triage.Testing;

namespace Triage.Data.Tests.Queries;

/// <summary>`triage findings` streams: every finding once, in the severity order of the one-shot listing, one page at a time.</summary>
public class FindingStreamTests
{
    /// <summary>Two images, 23 findings over every severity, so small pages end inside a severity and on its edge.</summary>
    private static async Task<string> World(string provider)
    {
        var conn = TestDatabases.New(provider);
        Severity[] bands = [Severity.Critical, Severity.High, Severity.Medium, Severity.Low, Severity.Unknown];
        foreach (var (image, digest, count) in new[] { ("registry.example/a/one:1", ReportBuilder.Digest('1'), 15), ("registry.example/b/two:1", ReportBuilder.Digest('2'), 8) })
        {
            var b = new ReportBuilder(ScannerKind.Trivy, image, digest);
            for (var i = 0; i < count; i++)
                b.Claim($"CVE-2024-{1000 + i}", "deb", $"pkg{i}", "1.0", bands[(i * 7 + count) % bands.Length]);
            await b.StoreAsync(conn);
        }
        return conn;
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Pages_GiveEveryFindingOnce_InTheOneShotListingsOrder(string provider)
    {
        var conn = await World(provider);
        await using var db = TriageDatabase.CreateContext(conn);
        var oneShot = await FindingQueries.ToViewsAsync(db,
            FindingQueries.Sort(FindingQueries.Filtered(db, new FindingFilter()), db, FindingSort.Severity, descending: true));
        Assert.Equal(23, oneShot.Count);

        foreach (var pageSize in new[] { 1, 2, 4, 5, 23, 1000 })
        {
            var pages = new List<List<FindingView>>();
            await foreach (var page in FindingQueries.StreamBySeverityAsync(db, new FindingFilter(), pageSize)) pages.Add(page);
            Assert.All(pages, p => Assert.InRange(p.Count, 1, pageSize));
            Assert.Equal(oneShot.Select(f => f.Id), pages.SelectMany(p => p).Select(f => f.Id));
            Assert.Equal(oneShot.Select(f => (f.Vulnerability.Id, f.Package.Name, f.Severity, f.Image)),
                pages.SelectMany(p => p).Select(f => (f.Vulnerability.Id, f.Package.Name, f.Severity, f.Image)));
        }
    }

    /// <summary>From any finding's cursor, the stream gives exactly the rest of the listing (the API's `after`).</summary>
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task FromACursor_TheRestOfTheListing(string provider)
    {
        var conn = await World(provider);
        await using var db = TriageDatabase.CreateContext(conn);
        var all = new List<FindingView>();
        await foreach (var page in FindingQueries.StreamBySeverityAsync(db, new FindingFilter(), 1000)) all.AddRange(page);
        for (var i = 0; i < all.Count; i++)
        {
            Assert.True(FindingCursor.TryParse(FindingCursor.Of(all[i]).ToString(), out var cursor));
            var rest = new List<long>();
            await foreach (var page in FindingQueries.StreamBySeverityAsync(db, FindingQueries.Filtered(db, new FindingFilter()), new FindingFilter(), 4, cursor, limit: null))
                rest.AddRange(page.Select(f => f.Id));
            Assert.Equal(all.Skip(i + 1).Select(f => f.Id), rest);
            // A limited stream (an API page of 5) ends with the fifth finding, across severities.
            var limited = new List<List<FindingView>>();
            await foreach (var page in FindingQueries.StreamBySeverityAsync(db, FindingQueries.Filtered(db, new FindingFilter()), new FindingFilter(), 5, cursor, limit: 5))
                limited.Add(page);
            Assert.Equal(all.Skip(i + 1).Take(5).Select(f => f.Id), limited.SelectMany(p => p).Select(f => f.Id));
        }
        Assert.False(FindingCursor.TryParse("7.12", out _));
        Assert.False(FindingCursor.TryParse(".12", out _));
        Assert.False(FindingCursor.TryParse("3.-4", out _));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Pages_KeepTheFilter(string provider)
    {
        var conn = await World(provider);
        await using var db = TriageDatabase.CreateContext(conn);
        var filter = new FindingFilter { Image = "registry.example/b/two", MinSeverity = Severity.Medium };
        var expected = await FindingQueries.ToViewsAsync(db,
            FindingQueries.Sort(FindingQueries.Filtered(db, filter), db, FindingSort.Severity, descending: true));
        var streamed = new List<FindingView>();
        await foreach (var page in FindingQueries.StreamBySeverityAsync(db, filter, 2)) streamed.AddRange(page);

        Assert.NotEmpty(streamed);
        Assert.All(streamed, f => Assert.Equal("registry.example/b/two", f.Repository));
        Assert.All(streamed, f => Assert.True(f.Severity >= Severity.Medium));
        Assert.Equal(expected.Select(f => f.Id), streamed.Select(f => f.Id));

        var only = new FindingFilter { Severities = [Severity.Low, Severity.Critical] };
        var bySet = new List<FindingView>();
        await foreach (var page in FindingQueries.StreamBySeverityAsync(db, only, 3)) bySet.AddRange(page);
        Assert.Equal(await db.Findings.CountAsync(f => f.Active && (f.Severity == Severity.Low || f.Severity == Severity.Critical)), bySet.Count);
        Assert.Equal(bySet.Select(f => f.Severity).OrderDescending(), bySet.Select(f => f.Severity));
    }

    /// <summary>A listing read page by page inside <see cref="TriageDatabase.BeginSnapshotAsync"/> is one state of the
    /// database: an import that commits between its pages (findings that would come later in its order) is not in it,
    /// and does not wait for it.</summary>
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task ASnapshot_KeepsImportsCommittedMeanwhileOutOfTheListing(string provider)
    {
        var conn = await World(provider);
        await using var db = TriageDatabase.CreateContext(conn);
        var before = new List<long>();
        await using (await TriageDatabase.BeginSnapshotAsync(db))
        {
            var first = true;
            await foreach (var page in FindingQueries.StreamBySeverityAsync(db, new FindingFilter(), 3))
            {
                before.AddRange(page.Select(f => f.Id));
                if (!first) continue;
                first = false;
                var late = new ReportBuilder(ScannerKind.Trivy, "registry.example/c/three:1", ReportBuilder.Digest('3'));
                for (var i = 0; i < 5; i++) late.Claim($"CVE-2025-{2000 + i}", "deb", $"late{i}", "1.0", Severity.Low);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await late.StoreAsync(conn).WaitAsync(timeout.Token);
            }
        }
        Assert.Equal(23, before.Count);

        var after = new List<long>();
        await foreach (var page in FindingQueries.StreamBySeverityAsync(db, new FindingFilter(), 3)) after.AddRange(page.Select(f => f.Id));
        Assert.Equal(28, after.Count);
        Assert.Subset(after.ToHashSet(), before.ToHashSet());
    }

    /// <summary>
    /// EF Core 10 sends a list a query filters on as one SQL parameter per value by default; SQLite allows 32,766 and
    /// binds each by name in a linear search, so a 40,000-id lookup failed ("too many SQL variables") and a 5,000-id one
    /// spent most of its time binding. Lists go as one JSON parameter on SQLite (an array on PostgreSQL).
    /// </summary>
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task ALongIdList_IsOneParameter(string provider)
    {
        var conn = await World(provider);
        await using var db = TriageDatabase.CreateContext(conn);
        var stored = await db.Findings.Select(f => f.Id).ToListAsync();
        var ids = Enumerable.Range(1, 40_000).Select(i => (long)i).Concat(stored).Distinct().ToList();

        var sql = db.Findings.Where(f => ids.Contains(f.Id)).ToQueryString();
        Assert.DoesNotContain("@ids2", sql, StringComparison.Ordinal);
        var found = await db.Findings.AsNoTracking().Where(f => ids.Contains(f.Id)).Select(f => f.Id).ToListAsync();
        Assert.Equal(stored.Order(), found.Order());
    }
}
