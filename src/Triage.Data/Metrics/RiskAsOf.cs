using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Triage.Core.Domain;
using Triage.Core.Metrics;
using Triage.Core.Ranking;
using Triage.Core.Runtime.Verdicts;
using Triage.Data.Runtime;

namespace Triage.Data.Metrics;

/// <summary>
/// What ranking, runtime evidence, the KEV catalog and deployment inventories say about the history's findings and images,
/// each with the moment from which it holds (<see cref="Core.Metrics.WeeklyCalculator"/> explains what a week makes of
/// them). Read set-based, like the rest of the history: one query per kind over the images in the period (and one for the
/// priorities and verdicts that were replaced, ADR 108), nothing per finding, and nothing at all for a kind Triage holds
/// no data of.
/// </summary>
internal sealed class RiskAsOf
{
    /// <summary>The AppSettings key of the moment from which every verdict change is recorded, written by the migration that
    /// began recording them when verdicts were stored already (absent: recorded from the start). ADR 108.</summary>
    internal const string VerdictsRecordedSinceKey = "metrics.verdicts_recorded_since";

    /// <summary>Priorities by finding, each with the period it held (the stored one open-ended), oldest first.</summary>
    public Dictionary<long, List<Held<SsvcPriority>>> Scores { get; } = [];
    /// <summary>Runtime verdicts by finding, each with the period it held (none: no evidence applied then).</summary>
    public Dictionary<long, List<Held<ReachabilityVerdict>>> Verdicts { get; } = [];
    /// <summary>The earliest date CISA added one of the group's CVEs, by alias group.</summary>
    public Dictionary<long, DateTime> KevListed { get; } = [];
    /// <summary>When each image ran in a production environment: from the first snapshot that showed it there to the last
    /// (open-ended while it still runs), by artifact.</summary>
    public Dictionary<long, List<(DateTime From, DateTime? To)>> Production { get; } = [];

    public DateTime? PrioritySince { get; private set; }
    public DateTime? ReachabilitySince { get; private set; }
    public DateTime VerdictsRecordedSince { get; private set; } = DateTime.MinValue;
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

    /// <summary>Scores, verdicts and KEV listings of the findings of <paramref name="artifactIds"/>, with the priorities and
    /// verdicts they had since <paramref name="start"/> (periods that ended before it cannot cover a week read).</summary>
    public async Task LoadFindingsAsync(TriageDbContext db, List<long> artifactIds, DateTime start, CancellationToken ct)
    {
        // The first scoring configuration recorded is when scores began; each priority counts from when it took effect.
        PrioritySince = Utc(await db.RankingPolicies.AsNoTracking().MinAsync(p => (DateTime?)p.CreatedAt, ct));
        if (PrioritySince is not null)
            foreach (var r in await (from risk in db.FindingRisks.AsNoTracking()
                                     join f in db.Findings.AsNoTracking() on risk.FindingId equals f.Id
                                     where artifactIds.Contains(f.ArtifactId)
                                     select new { risk.FindingId, risk.Priority, risk.PrioritySince }).ToListAsync(ct))
                Add(Scores, r.FindingId, new Held<SsvcPriority>(r.Priority, MetricsHistoryLoader.Utc(r.PrioritySince), null));

        // Verdicts exist from the first evidence a verdict can be judged from (package lists and slim build reports alone
        // judge nothing; see VerdictRefresher).
        ReachabilitySince = Utc(await (from e in db.RuntimeImageEvidence.AsNoTracking()
                                       join file in db.RuntimeEvidenceFiles.AsNoTracking() on e.EvidenceFileId equals file.Id
                                       where e.Part == RuntimeEvidencePart.FileAccessProfile || e.Part == RuntimeEvidencePart.FileInventory
                                             || e.Part == RuntimeEvidencePart.CodeReachability
                                       select (DateTime?)file.ImportedAt).MinAsync(ct));
        if (ReachabilitySince is not null)
        {
            foreach (var v in await (from verdict in db.FindingVerdicts.AsNoTracking()
                                     join f in db.Findings.AsNoTracking() on verdict.FindingId equals f.Id
                                     where artifactIds.Contains(f.ArtifactId)
                                     select new { verdict.FindingId, verdict.Verdict, verdict.VerdictSince }).ToListAsync(ct))
                Add(Verdicts, v.FindingId, new Held<ReachabilityVerdict>(v.Verdict, MetricsHistoryLoader.Utc(v.VerdictSince), null));
            // A value that does not read as a moment makes every verdict count only from when it took effect, as before.
            if (await db.AppSettings.AsNoTracking().Where(a => a.Key == VerdictsRecordedSinceKey).Select(a => a.Value).FirstOrDefaultAsync(ct) is { } recorded)
                VerdictsRecordedSince = DateTime.TryParse(recorded, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal,
                    out var since) ? since : DateTime.MaxValue;
        }

        // What they had before: one query over the replaced values of the period's findings (ADR 108).
        if (PrioritySince is not null || ReachabilitySince is not null)
            foreach (var p in await (from period in db.FindingRiskPeriods.AsNoTracking()
                                     join f in db.Findings.AsNoTracking() on period.FindingId equals f.Id
                                     where artifactIds.Contains(f.ArtifactId) && period.Until > start
                                     select new { period.FindingId, period.Priority, period.Verdict, period.Since, period.Until }).ToListAsync(ct))
            {
                var (since, until) = (MetricsHistoryLoader.Utc(p.Since), MetricsHistoryLoader.Utc(p.Until));
                if (p.Priority is { } priority && PrioritySince is not null) Add(Scores, p.FindingId, new Held<SsvcPriority>(priority, since, until));
                else if (p.Verdict is { } verdict && ReachabilitySince is not null) Add(Verdicts, p.FindingId, new Held<ReachabilityVerdict>(verdict, since, until));
            }
        foreach (var list in Scores.Values) if (list.Count > 1) list.Sort((a, b) => a.Since.CompareTo(b.Since));
        foreach (var list in Verdicts.Values) if (list.Count > 1) list.Sort((a, b) => a.Since.CompareTo(b.Since));

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

    private static void Add<T>(Dictionary<long, List<Held<T>>> into, long findingId, Held<T> held) where T : struct
    {
        if (!into.TryGetValue(findingId, out var list)) into[findingId] = list = new List<Held<T>>(1);
        list.Add(held);
    }

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
