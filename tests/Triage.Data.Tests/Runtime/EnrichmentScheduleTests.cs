using Triage.Core.Domain;
using Triage.Data.Runtime;
using Triage.Testing;

namespace Triage.Data.Tests.Runtime;

/// <summary>Scheduled KEV/EPSS downloads between app instances: one claim per feed and period, through AppSettings.</summary>
public class EnrichmentScheduleTests
{
    private static readonly DateTime T0 = new(2026, 3, 1, 6, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan Day = TimeSpan.FromHours(24);

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Claim_OneInstancePerFeedAndPeriod_AnotherAfterThePeriod(string provider)
    {
        var conn = TestDatabases.New(provider);
        await TriageDatabase.EnsureMigratedAsync(conn);
        Assert.True(await EnrichmentSchedule.TryClaimAsync(conn, EnrichmentFeed.Kev, "a", T0, Day));
        Assert.False(await EnrichmentSchedule.TryClaimAsync(conn, EnrichmentFeed.Kev, "b", T0.AddMinutes(5), Day));
        Assert.False(await EnrichmentSchedule.TryClaimAsync(conn, EnrichmentFeed.Kev, "a", T0.AddHours(23), Day));
        Assert.True(await EnrichmentSchedule.TryClaimAsync(conn, EnrichmentFeed.Epss, "b", T0.AddMinutes(5), Day)); // feeds are independent
        Assert.True(await EnrichmentSchedule.TryClaimAsync(conn, EnrichmentFeed.Kev, "b", T0.AddHours(24), Day));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Claim_ManyInstancesAtOnce_ExactlyOneWins(string provider)
    {
        var conn = TestDatabases.New(provider);
        await TriageDatabase.EnsureMigratedAsync(conn);
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            // SQLite answers "busy" to a writer that cannot wait; the instance then simply tries in its next poll.
            try { return await EnrichmentSchedule.TryClaimAsync(conn, EnrichmentFeed.Epss, $"i{i}", T0, Day); }
            catch (Microsoft.Data.Sqlite.SqliteException e) when (e.SqliteErrorCode == 5) { return false; }
        })));
        Assert.Equal(1, results.Count(r => r));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task State_WrittenAndReadBack_WithTheDataInUse(string provider)
    {
        var conn = TestDatabases.New(provider);
        await TriageDatabase.EnsureMigratedAsync(conn);
        var state = new EnrichmentDownloadState
        {
            Url = "http://127.0.0.1/kev.json", LastAttemptAt = T0, LastSuccessAt = T0, Outcome = "imported", ETag = "\"v1\"", DataDate = new DateOnly(2025, 8, 25),
        };
        await EnrichmentSchedule.WriteStateAsync(conn, EnrichmentFeed.Kev, state, T0);
        await EnrichmentSchedule.WriteStateAsync(conn, EnrichmentFeed.Kev, state with { Outcome = "not_modified" }, T0.AddDays(1));
        await using var db = TriageDatabase.CreateContext(conn);
        var overview = await EnrichmentSchedule.OverviewAsync(db);
        Assert.Empty(overview.Feeds);
        var read = overview.Downloads[EnrichmentFeed.Kev];
        Assert.Equal(("not_modified", "\"v1\"", new DateOnly(2025, 8, 25)), (read.Outcome, read.ETag, read.DataDate));
        Assert.False(overview.Downloads.ContainsKey(EnrichmentFeed.Epss));
    }
}
