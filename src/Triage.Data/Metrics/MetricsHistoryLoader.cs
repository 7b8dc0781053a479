using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Core.Metrics;

namespace Triage.Data.Metrics;

/// <summary>
/// Reads the history the weekly calculator needs for the weeks from a given week to now: repositories and lineages, every
/// image with its scan times and when it ran in production, and the findings of the images that can be current in that
/// period with the moment each was retired, their priorities and runtime verdicts with the periods they held (ADR 108) and
/// when their alias group was listed in KEV (<see cref="RiskAsOf"/>). Work is proportional to the period: images superseded
/// before it and findings retired before it are not read.
/// </summary>
public static class MetricsHistoryLoader
{
    /// <summary>Loads the history of <paramref name="from"/> to <paramref name="now"/>.</summary>
    /// <param name="ledger">The problems open at the start of <paramref name="from"/> (empty to compute from scratch).</param>
    /// <param name="decisions">The decision lookup, or null when none is stored.</param>
    /// <param name="lineageOf">Only the lineage of this repository (a comparison of dates); null for every lineage.</param>
    public static async Task<MetricsHistory> LoadAsync(TriageDbContext db, IsoWeek from, DateTime now, IReadOnlyList<OpenProblem> ledger,
        DecisionLookup? decisions, long? lineageOf = null, CancellationToken ct = default)
    {
        var start = from.Start;
        var repositories = await db.Repositories.AsNoTracking()
            .Select(r => new LineageRepository(r.Id, r.Name, r.TeamId, r.ReplacesRepositoryId)).ToListAsync(ct);
        if (lineageOf is { } only)
            repositories = Lineage.Build(repositories).Where(l => l.Repositories.Any(r => r.Id == only)).SelectMany(l => l.Repositories).ToList();
        var repositoryIds = repositories.Select(r => r.Id).ToList();
        var teams = await db.Teams.AsNoTracking().ToDictionaryAsync(t => t.Id, t => t.Name, ct);
        var artifacts = await db.Artifacts.AsNoTracking().Where(a => lineageOf == null || repositoryIds.Contains(a.RepositoryId))
            .Select(a => new { a.Id, a.RepositoryId, a.Digest, a.PackageCount, a.SizeBytes, a.FirstSeen, a.LastSeen }).ToListAsync(ct);
        var artifactIds = artifacts.Select(a => a.Id).ToList();
        var scans = await db.Scans.AsNoTracking().Where(s => lineageOf == null || artifactIds.Contains(s.ArtifactId)).Select(s => new { s.ArtifactId, s.Scanner, s.ImportedAt }).ToListAsync(ct);

        var scanTimes = scans.GroupBy(s => s.ArtifactId).ToDictionary(g => g.Key, g => g.Select(s => Utc(s.ImportedAt)).Distinct().Order().ToList());
        var scannerTimes = scans.GroupBy(s => (s.ArtifactId, s.Scanner))
            .ToDictionary(g => g.Key, g => g.Select(s => Utc(s.ImportedAt)).Distinct().Order().ToList());

        // Images, each with its scan times (an image whose scans were purged keeps the times it was first and last seen).
        var digests = new Dictionary<long, (long RepositoryId, string? Digest, List<DateTime> Scans, int PackageCount, long? Size)>();
        foreach (var a in artifacts)
        {
            var times = scanTimes.GetValueOrDefault(a.Id) ?? [.. new[] { Utc(a.FirstSeen), Utc(a.LastSeen) }.Distinct().Order()];
            digests[a.Id] = (a.RepositoryId, a.Digest, times, a.PackageCount, a.SizeBytes);
        }

        // Images in production stay current (CurrentImages), so they are known before the period's images are chosen.
        var risk = await RiskAsOf.LoadProductionAsync(db, ct);

        // The images that can be current at some moment of the period: those scanned since the newest image of their
        // lineage first seen by its start (CurrentImages), those running in production during it, and every image first
        // seen during it.
        var relevant = new HashSet<long>();
        foreach (var lineage in Lineage.Build(repositories))
        {
            var ids = lineage.Repositories.Select(r => r.Id).ToHashSet();
            var mine = digests.Where(d => ids.Contains(d.Value.RepositoryId)).ToList();
            var newest = mine.Where(d => d.Value.Scans[0] < start).Select(d => (DateTime?)d.Value.Scans[0]).Max();
            foreach (var (id, d) in mine)
                if (newest is null || d.Scans[^1] >= newest || risk.InProductionDuring(id, start, now)) relevant.Add(id);
        }
        var relevantIds = relevant.ToList();

        var findingRows = await db.Findings.AsNoTracking().Where(f => relevantIds.Contains(f.ArtifactId))
            .Select(f => new { f.Id, f.ArtifactId, f.PackageId, f.GroupId, f.Severity, f.FixAvailable, f.Active, f.FirstSeen, f.LastSeen })
            .ToListAsync(ct);

        // A retired finding closed when the last of its observations was retired: each by the next scan of its scanner
        // after it was last reported.
        var retiredObservations = await (
                from o in db.Observations.AsNoTracking()
                join f in db.Findings on o.FindingId equals f.Id
                where !f.Active && relevantIds.Contains(f.ArtifactId)
                select new { o.FindingId, f.ArtifactId, o.Scanner, o.LastSeen })
            .ToListAsync(ct);
        var closedAt = new Dictionary<long, DateTime>();
        foreach (var o in retiredObservations)
        {
            var times = scannerTimes.GetValueOrDefault((o.ArtifactId, o.Scanner));
            var retired = NextAfter(times, Utc(o.LastSeen)) ?? NextAfter(scanTimes.GetValueOrDefault(o.ArtifactId), Utc(o.LastSeen)) ?? Utc(o.LastSeen);
            if (!closedAt.TryGetValue(o.FindingId, out var c) || retired > c) closedAt[o.FindingId] = retired;
        }

        var kept = findingRows.Where(f => f.Active || ClosedAt(f.Id, f.LastSeen, f.ArtifactId) >= start).ToList();
        var packageLinks = await db.ArtifactPackages.AsNoTracking().Where(ap => relevantIds.Contains(ap.ArtifactId))
            .Select(ap => new { ap.ArtifactId, ap.PackageId }).ToListAsync(ct);
        var packageIds = packageLinks.Select(l => l.PackageId).Concat(kept.Select(f => f.PackageId)).Distinct().ToList();
        var packages = new Dictionary<long, PackageVersion>(packageIds.Count);
        var names = new Dictionary<(string, string?, string), PackageName>();
        foreach (var p in await db.Packages.AsNoTracking().Where(p => packageIds.Contains(p.Id))
                     .Select(p => new { p.Id, p.Type, p.Namespace, p.Name, p.Version }).ToListAsync(ct))
        {
            if (!names.TryGetValue((p.Type, p.Namespace, p.Name), out var name)) names[(p.Type, p.Namespace, p.Name)] = name = new PackageName(p.Type, p.Namespace, p.Name);
            packages[p.Id] = name.At(p.Version);
        }
        await risk.LoadFindingsAsync(db, relevantIds, start, ct);
        var groupIds = kept.Select(f => f.GroupId).Distinct().ToList();
        var canonical = await db.AliasGroups.AsNoTracking().Where(g => groupIds.Contains(g.Id)).ToDictionaryAsync(g => g.Id, g => g.CanonicalId, ct);

        var inventories = packageLinks.GroupBy(l => l.ArtifactId).ToDictionary(g => g.Key, g => g.Select(l => packages[l.PackageId]).ToList());
        var digestHistories = relevant.Select(id =>
        {
            var d = digests[id];
            return new DigestHistory(id, d.RepositoryId, d.Digest, d.Scans, d.PackageCount, d.Size, inventories.GetValueOrDefault(id) ?? []);
        }).ToList();
        // Images outside the period still count for which image is newest in their lineage.
        digestHistories.AddRange(digests.Where(d => !relevant.Contains(d.Key))
            .Select(d => new DigestHistory(d.Key, d.Value.RepositoryId, d.Value.Digest, d.Value.Scans, d.Value.PackageCount, d.Value.Size, [])));

        var findings = kept.Select(f =>
        {
            var p = packages[f.PackageId];
            return new FindingHistory(f.Id, f.ArtifactId, f.GroupId, canonical.GetValueOrDefault(f.GroupId, "?"), p.Package, p.Version, f.Severity,
                f.FixAvailable, Utc(f.FirstSeen), f.Active ? null : ClosedAt(f.Id, f.LastSeen, f.ArtifactId))
            {
                Priorities = risk.Scores.TryGetValue(f.Id, out var priorities) ? priorities : [],
                Verdicts = risk.Verdicts.TryGetValue(f.Id, out var verdicts) ? verdicts : [],
                KevListedAt = risk.KevListed.TryGetValue(f.GroupId, out var listed) ? listed : null,
            };
        }).ToList();

        return new MetricsHistory
        {
            Repositories = repositories,
            TeamNames = teams,
            Digests = digestHistories,
            Findings = findings,
            Ledger = ledger,
            Decisions = decisions,
            RunningInProduction = risk.ProductionSince is null ? null : (d, t) => risk.InProduction(d.ArtifactId, t),
            PrioritySince = risk.PrioritySince,
            ReachabilitySince = risk.ReachabilitySince,
            VerdictsRecordedSince = risk.VerdictsRecordedSince,
            KevSince = risk.KevSince,
            ProductionSince = risk.ProductionSince,
        };

        DateTime ClosedAt(long id, DateTime lastSeen, long artifactId) =>
            closedAt.TryGetValue(id, out var c) ? c : NextAfter(scanTimes.GetValueOrDefault(artifactId), Utc(lastSeen)) ?? Utc(lastSeen);
    }

    /// <summary>The problems the ledger holds (for the run that starts at its week).</summary>
    public static async Task<List<OpenProblem>> LedgerAsync(TriageDbContext db, CancellationToken ct = default) =>
        (await db.MetricsProblems.AsNoTracking().ToListAsync(ct))
        .Select(p => new OpenProblem(p.RepositoryId, p.GroupId, p.VulnerabilityId, new PackageName(p.PackageType, p.PackageNamespace, p.PackageName),
            p.Severity, Utc(p.OpenedAt)))
        .ToList();

    private static DateTime? NextAfter(List<DateTime>? sorted, DateTime t)
    {
        if (sorted is null) return null;
        int lo = 0, hi = sorted.Count - 1, found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >> 1;
            if (sorted[mid] > t) { found = mid; hi = mid - 1; }
            else lo = mid + 1;
        }
        return found < 0 ? null : sorted[found];
    }

    internal static DateTime Utc(DateTime t) => DateTime.SpecifyKind(t, DateTimeKind.Utc);
}
