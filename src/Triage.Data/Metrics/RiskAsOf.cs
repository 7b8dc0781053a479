using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Triage.Core.Domain;
using Triage.Core.Ranking;
using Triage.Core.Runtime.Verdicts;
using Triage.Data.Runtime;

namespace Triage.Data.Metrics;

/// <summary>
/// What ranking, runtime evidence, the KEV catalog and deployment inventories say about the history's findings and images,
/// each with the moment from which it holds (<see cref="Core.Metrics.WeeklyCalculator"/> explains what a week makes of
/// them). Read set-based, like the rest of the history: one query per kind over the images in the period, nothing per
/// finding, and nothing at all for a kind Triage holds no data of.
/// </summary>
internal sealed class RiskAsOf
{
    /// <summary>Stored priority and when it was computed, by finding.</summary>
    public Dictionary<long, (SsvcPriority Priority, DateTime At)> Scores { get; } = [];
    /// <summary>Stored runtime verdict and when it was computed, by finding (none: no evidence applies).</summary>
    public Dictionary<long, (ReachabilityVerdict Verdict, DateTime At)> Verdicts { get; } = [];
    /// <summary>The earliest date CISA added one of the group's CVEs, by alias group.</summary>
    public Dictionary<long, DateTime> KevListed { get; } = [];
    /// <summary>When each image ran in a production environment: from the first snapshot that showed it there to the last
    /// (open-ended while it still runs), by artifact.</summary>
    public Dictionary<long, List<(DateTime From, DateTime? To)>> Production { get; } = [];

    public DateTime? PrioritySince { get; private set; }
    public DateTime? ReachabilitySince { get; private set; }
    public DateTime? KevSince { get; private set; }
    public DateTime? ProductionSince { get; private set; }

    public bool InProduction(long artifactId, DateTime t)
    {
        if (!Production.TryGetValue(artifactId, out var spans)) return false;
        foreach (var (from, to) in spans)
            if (from <= t && (to is null || t <= to)) return true;
        return false;
    }

    /// <summary>Whether the image ran in production at some moment of <paramref name="from"/>..<paramref name="to"/> (so it
    /// can be current then, and its findings must be read).</summary>
    public bool InProductionDuring(long artifactId, DateTime from, DateTime to) =>
        Production.TryGetValue(artifactId, out var spans) && spans.Any(s => s.From <= to && (s.To is null || s.To >= from));

    /// <summary>Images in production during the period (read first: they widen the set of images whose findings count).</summary>
    public static async Task<RiskAsOf> LoadProductionAsync(TriageDbContext db, CancellationToken ct)
    {
        var result = new RiskAsOf();
        var firstInventory = await db.RuntimeSnapshots.AsNoTracking().MinAsync(s => (DateTime?)s.ObservedAt, ct);
        if (firstInventory is null) return result;
        result.ProductionSince = MetricsHistoryLoader.Utc(firstInventory.Value);

        await WithSqlAsync(db, ct, async sql =>
        {
            // The same rules as exposure in ranking: the environments of the scoring configuration that scored last (the
            // defaults before any score), workloads matched to images as runtime evidence is, "still running" by its window.
            var config = await RankingPolicies.NewestAsync(sql, [], ct);
            var settings = config.Settings();
            var inventories = await InventoryState.LoadAsync(sql, settings, ct);
            var prod = inventories.Workloads.Where(w => w.Environment is { } e && config.Ranking.Classify(e) == EnvironmentClass.Prod).ToList();
            if (prod.Count == 0) return;
            var catalog = await ArtifactCatalog.LoadAsync(sql, ct);
            foreach (var w in prod)
            {
                DateTime? to = inventories.IsCurrent(w) ? null : w.LastSeen;
                foreach (var id in catalog.Match(w.Repository, w.Tag, w.Digest, w.ImageId, w.Reference))
                {
                    if (!result.Production.TryGetValue(id, out var spans)) result.Production[id] = spans = [];
                    spans.Add((w.FirstSeen, to));
                }
            }
        });
        return result;
    }

    /// <summary>Scores, verdicts and KEV listings of the findings of <paramref name="artifactIds"/>.</summary>
    public async Task LoadFindingsAsync(TriageDbContext db, List<long> artifactIds, CancellationToken ct)
    {
        // The first scoring configuration recorded is when scores began; each score counts from when it was computed.
        PrioritySince = Utc(await db.RankingPolicies.AsNoTracking().MinAsync(p => (DateTime?)p.CreatedAt, ct));
        if (PrioritySince is not null)
            foreach (var r in await (from risk in db.FindingRisks.AsNoTracking()
                                     join f in db.Findings.AsNoTracking() on risk.FindingId equals f.Id
                                     where artifactIds.Contains(f.ArtifactId)
                                     select new { risk.FindingId, risk.Priority, risk.ComputedAt }).ToListAsync(ct))
                Scores[r.FindingId] = (r.Priority, MetricsHistoryLoader.Utc(r.ComputedAt));

        // Verdicts exist from the first evidence a verdict can be judged from (package lists and slim build reports alone
        // judge nothing; see VerdictRefresher).
        ReachabilitySince = Utc(await (from e in db.RuntimeImageEvidence.AsNoTracking()
                                       join file in db.RuntimeEvidenceFiles.AsNoTracking() on e.EvidenceFileId equals file.Id
                                       where e.Part == RuntimeEvidencePart.FileAccessProfile || e.Part == RuntimeEvidencePart.FileInventory
                                             || e.Part == RuntimeEvidencePart.CodeReachability
                                       select (DateTime?)file.ImportedAt).MinAsync(ct));
        if (ReachabilitySince is not null)
            foreach (var v in await (from verdict in db.FindingVerdicts.AsNoTracking()
                                     join f in db.Findings.AsNoTracking() on verdict.FindingId equals f.Id
                                     where artifactIds.Contains(f.ArtifactId)
                                     select new { verdict.FindingId, verdict.Verdict, verdict.ComputedAt }).ToListAsync(ct))
                Verdicts[v.FindingId] = (v.Verdict, MetricsHistoryLoader.Utc(v.ComputedAt));

        // KEV through alias groups, as ranking matches it: a group is listed when any of its CVEs is. The catalog holds a
        // thousand-odd CVEs, so the join returns only the listed groups, whatever the size of the history.
        if (await db.EnrichmentImports.AsNoTracking().AnyAsync(i => i.Feed == EnrichmentFeed.Kev, ct) || await db.KevListings.AsNoTracking().AnyAsync(ct))
        {
            KevSince = DateTime.MinValue;
            foreach (var k in await (from listing in db.KevListings.AsNoTracking()
                                     join v in db.Vulnerabilities.AsNoTracking() on listing.CveId equals v.VulnId
                                     select new { v.GroupId, listing.DateAdded }).ToListAsync(ct))
            {
                var added = MetricsHistoryLoader.Utc(k.DateAdded);
                if (!KevListed.TryGetValue(k.GroupId, out var seen) || added < seen) KevListed[k.GroupId] = added;
            }
        }
    }

    private static DateTime? Utc(DateTime? t) => t is { } v ? MetricsHistoryLoader.Utc(v) : null;

    /// <summary>Runs plain SQL on the context's connection (the runtime readers are written against <see cref="SqlSource"/>).</summary>
    private static async Task WithSqlAsync(TriageDbContext db, CancellationToken ct, Func<SqlSource, Task> read)
    {
        var conn = db.Database.GetDbConnection();
        var opened = conn.State != System.Data.ConnectionState.Open;
        if (opened) await db.Database.OpenConnectionAsync(ct);
        try
        {
            await read(SqlSource.Of(conn, db.Provider, db.Database.CurrentTransaction?.GetDbTransaction()));
        }
        finally
        {
            if (opened) await db.Database.CloseConnectionAsync();
        }
    }
}
