using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Core.Identity;
using Triage.Data.Vex;

namespace Triage.Data.Queries;

/// <summary>Reads findings with their evidence. Filtering and paging happen in SQL; evidence is loaded for the page only.</summary>
public static class FindingQueries
{
    private sealed record Row(long Id, long ArtifactId, long GroupId, Severity Severity, List<string> FixedVersions, bool Active, DateTime FirstSeen, DateTime LastSeen,
        string Repository, long? TeamId, string? Digest, List<string> Tags, string PackageKey, string? Purl, string Type, string? Namespace, string Name, string Version,
        string? SourceName, string? SourceVersion, string CanonicalId);

    /// <summary>The filtered findings query, before paging (also used for counts and grouping).</summary>
    public static IQueryable<Finding> Filtered(TriageDbContext db, FindingFilter filter)
    {
        var q = db.Findings.AsNoTracking();
        if (!filter.IncludeInactive) q = q.Where(f => f.Active);
        // Artifacts, packages and scanners are matched as uncorrelated id sets (small: images of a team, packages whose
        // name matches) or stored bits, so the database reads the findings through their ArtifactId/PackageId indexes
        // instead of probing a subquery per finding (ADR 090).
        if (ArtifactScope(db, filter) is { } scope) q = q.Where(f => scope.Contains(f.ArtifactId));
        if (filter.MinSeverity is { } min) q = q.Where(f => f.Severity >= min);
        if (filter.Severities is { Count: > 0 } sevs) q = q.Where(f => sevs.Contains(f.Severity));
        if (!string.IsNullOrWhiteSpace(filter.Scanner))
        {
            var s = filter.Scanner.Trim().ToLowerInvariant();
            if (ScannerKindNames.TryParse(s, out var kind))
            {
                var bit = kind.Bit();
                q = q.Where(f => (f.ScannerMask & bit) != 0);
            }
            else q = q.Where(f => db.Observations.Any(o => o.FindingId == f.Id && o.Active && o.Scanner == s));
        }
        if (!string.IsNullOrWhiteSpace(filter.Package))
        {
            var p = filter.Package.Trim().ToLowerInvariant();
            var packages = db.Packages.Where(pk => pk.Name.ToLower().Contains(p) || pk.Key.ToLower().Contains(p)
                || (pk.SourceName != null && pk.SourceName.ToLower().Contains(p))).Select(pk => pk.Id);
            q = q.Where(f => packages.Contains(f.PackageId));
        }
        if (!string.IsNullOrWhiteSpace(filter.Vulnerability))
        {
            var v = VulnerabilityIds.Normalize(filter.Vulnerability);
            // An id, an alias of it, or an advisory upstream of it.
            var groups = db.Vulnerabilities.Where(x => x.VulnId == v).Select(x => x.GroupId)
                .Union(db.AliasAssertions.Where(a => a.FromId == v && a.Relation == AliasRelation.Upstream)
                    .Join(db.Vulnerabilities, a => a.ToId, x => x.VulnId, (a, x) => x.GroupId));
            q = q.Where(f => groups.Contains(f.GroupId));
        }
        if (filter.FixAvailable is { } fix)
            q = q.Where(f => f.FixAvailable == fix);
        if (filter.Priorities is { Count: > 0 } priorities)
        {
            var ps = priorities.Distinct().ToList();
            q = q.Where(f => db.FindingRisks.Any(r => r.FindingId == f.Id && ps.Contains(r.Priority)));
        }
        if (filter.Reachability is { Count: > 0 } verdicts)
        {
            var vs = verdicts.Distinct().ToList();
            var unknown = vs.Contains(Core.Runtime.Verdicts.ReachabilityVerdict.Unknown);
            q = q.Where(f => db.FindingVerdicts.Any(v => v.FindingId == f.Id && vs.Contains(v.Verdict))
                             || (unknown && !db.FindingVerdicts.Any(v => v.FindingId == f.Id)));
        }
        return q;
    }

    /// <summary>The artifacts the filter's repositories, team and image allow, as one id subquery (null: any artifact).</summary>
    public static IQueryable<long>? ArtifactScope(TriageDbContext db, FindingFilter filter)
    {
        IQueryable<Artifact>? artifacts = null;
        if (filter.RepositoryIds is not null)
        {
            var ids = filter.RepositoryIds;
            artifacts = db.Artifacts.Where(a => ids.Contains(a.RepositoryId));
        }
        if (filter.TeamId is { } team)
        {
            var repositories = db.Repositories.Where(r => r.TeamId == team).Select(r => r.Id);
            artifacts = (artifacts ?? db.Artifacts).Where(a => repositories.Contains(a.RepositoryId));
        }
        if (!string.IsNullOrWhiteSpace(filter.Image))
        {
            var named = ArtifactsFor(db, filter.Image);
            artifacts = (artifacts ?? db.Artifacts).Where(a => named.Contains(a.Id));
        }
        return artifacts?.Select(a => a.Id);
    }

    /// <summary>Artifacts an image reference names: repository (all digests), repository:tag, or repository@digest.
    /// A repository has few artifacts, so tags are matched in memory.</summary>
    public static List<long> ArtifactsFor(TriageDbContext db, string image)
    {
        var raw = image.Trim();
        var lower = raw.ToLowerInvariant();
        string repository = lower;
        string? tag = null, digest = null;
        // A bare name like "app/gin" may be a non-image repository (a scanned tree): an exact repository name wins.
        if (!db.Repositories.Any(x => x.Name == lower) && ImageReference.TryParse(raw, out var r))
        {
            repository = r!.Repository;
            tag = r.Tag;
            digest = r.Digest;
        }
        var candidates = db.Artifacts.AsNoTracking()
            .Where(a => db.Repositories.Any(x => x.Id == a.RepositoryId && x.Name == repository))
            .Select(a => new { a.Id, a.Digest, a.ImageId, a.Tags })
            .ToList();
        return candidates
            .Where(a => digest is not null ? a.Digest == digest || a.ImageId == digest : tag is null || a.Tags.Contains(tag))
            .Select(a => a.Id)
            .ToList();
    }

    public static IQueryable<Finding> Sort(IQueryable<Finding> q, TriageDbContext db, FindingSort sort, bool descending) => (sort, descending) switch
    {
        (FindingSort.Severity, true) => q.OrderByDescending(f => f.Severity).ThenBy(f => f.Id),
        (FindingSort.Severity, false) => q.OrderBy(f => f.Severity).ThenBy(f => f.Id),
        // Stored keys (the group's canonical id, the package's name) kept by the importer, each with an index (ADR 090).
        (FindingSort.Vulnerability, false) => q.OrderBy(f => f.VulnerabilityId).ThenBy(f => f.Id),
        (FindingSort.Vulnerability, true) => q.OrderByDescending(f => f.VulnerabilityId).ThenBy(f => f.Id),
        (FindingSort.Package, false) => q.OrderBy(f => f.PackageName).ThenBy(f => f.Id),
        (FindingSort.Package, true) => q.OrderByDescending(f => f.PackageName).ThenBy(f => f.Id),
        (FindingSort.Image, false) => q.OrderBy(f => f.ArtifactId).ThenBy(f => f.Id),
        (FindingSort.Image, true) => q.OrderByDescending(f => f.ArtifactId).ThenBy(f => f.Id),
        (FindingSort.FirstSeen, false) => q.OrderBy(f => f.FirstSeen).ThenBy(f => f.Id),
        (FindingSort.FirstSeen, true) => q.OrderByDescending(f => f.FirstSeen).ThenBy(f => f.Id),
        (FindingSort.LastSeen, false) => q.OrderBy(f => f.LastSeen).ThenBy(f => f.Id),
        (FindingSort.LastSeen, true) => q.OrderByDescending(f => f.LastSeen).ThenBy(f => f.Id),
        // Stored scores, walked along their index (RankKey desc, FindingId); every finding has one once scored (imports,
        // runtime ingests, enrichment and the web app's start keep them current).
        (FindingSort.Priority, true) => q.Join(db.FindingRisks, f => f.Id, r => r.FindingId, (f, r) => new { f, r })
            .OrderByDescending(x => x.r.RankKey).ThenBy(x => x.r.FindingId).Select(x => x.f),
        (FindingSort.Priority, false) => q.Join(db.FindingRisks, f => f.Id, r => r.FindingId, (f, r) => new { f, r })
            .OrderBy(x => x.r.RankKey).ThenByDescending(x => x.r.FindingId).Select(x => x.f),
    };

    /// <summary>
    /// Every finding the filter matches, most severe first (then by id: the order of <see cref="FindingSort.Severity"/>),
    /// as pages of views with their evidence. Each page is read along the (severity, id) index with a keyset, so a listing
    /// of 500,000 findings holds one page in memory and never re-reads what it skipped (OFFSET would).
    /// </summary>
    public static IAsyncEnumerable<List<FindingView>> StreamBySeverityAsync(TriageDbContext db, FindingFilter filter, int pageSize = 2000,
        CancellationToken ct = default) =>
        StreamBySeverityAsync(db, Filtered(db, filter), filter, pageSize, after: null, limit: null, ct);

    /// <summary>As above over an already filtered query (a user's visible findings), starting after <paramref name="after"/>
    /// (a <see cref="FindingCursor"/> of the last finding a caller has, from the same order) and ending after
    /// <paramref name="limit"/> findings (an API page: no query asks for more than is still wanted).</summary>
    public static async IAsyncEnumerable<List<FindingView>> StreamBySeverityAsync(TriageDbContext db, IQueryable<Finding> filtered, FindingFilter filter,
        int pageSize, FindingCursor? after, int? limit, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var left = limit ?? int.MaxValue;
        foreach (var severity in Enum.GetValues<Severity>().OrderDescending())
        {
            if (after is { } c && severity > c.Severity) continue;
            if (filter.MinSeverity is { } min && severity < min) continue;
            if (filter.Severities is { Count: > 0 } only && !only.Contains(severity)) continue;
            var last = after is { } from && from.Severity == severity ? from.Id : 0L;
            while (left > 0)
            {
                var s = severity;
                var k = last;
                var take = Math.Min(pageSize, left);
                var page = filtered.Where(f => f.Severity == s && f.Id > k).OrderBy(f => f.Id).Take(take);
                var views = await ToViewsAsync(db, page, ct);
                if (views.Count == 0) break;
                left -= views.Count;
                yield return views;
                if (views.Count < take) break;
                last = views.Max(v => v.Id);
            }
            if (left == 0) yield break;
        }
    }

    /// <summary>Turns a (filtered, sorted, paged) findings query into views with their evidence.</summary>
    public static async Task<List<FindingView>> ToViewsAsync(TriageDbContext db, IQueryable<Finding> findings, CancellationToken ct = default)
    {
        var rows = await (
            from f in findings
            join a in db.Artifacts on f.ArtifactId equals a.Id
            join r in db.Repositories on a.RepositoryId equals r.Id
            join p in db.Packages on f.PackageId equals p.Id
            join g in db.AliasGroups on f.GroupId equals g.Id
            select new Row(f.Id, f.ArtifactId, f.GroupId, f.Severity, f.FixedVersions, f.Active, f.FirstSeen, f.LastSeen, r.Name, r.TeamId, a.Digest, a.Tags,
                p.Key, p.Purl, p.Type, p.Namespace, p.Name, p.Version, p.SourceName, p.SourceVersion, g.CanonicalId))
            .ToListAsync(ct);
        if (rows.Count == 0) return [];

        var findingIds = rows.Select(r => r.Id).ToList();
        var groupIds = rows.Select(r => r.GroupId).Distinct().ToList();
        var observations = new List<Observation>(rows.Count * 2);
        foreach (var chunk in findingIds.Chunk(5000))
            observations.AddRange(await db.Observations.AsNoTracking().Where(o => chunk.Contains(o.FindingId)).ToListAsync(ct));
        var members = new List<(long GroupId, string VulnId, string? Title)>();
        foreach (var chunk in groupIds.Chunk(5000))
            members.AddRange((await db.Vulnerabilities.AsNoTracking().Where(v => chunk.Contains(v.GroupId))
                .Select(v => new { v.GroupId, v.VulnId, v.Title }).ToListAsync(ct)).Select(x => (x.GroupId, x.VulnId, x.Title)));
        var memberIds = members.Select(m => m.VulnId).Distinct().ToList();
        var upstream = new List<(string From, string To)>();
        foreach (var chunk in memberIds.Chunk(5000))
            upstream.AddRange((await db.AliasAssertions.AsNoTracking().Where(a => a.Relation == AliasRelation.Upstream && chunk.Contains(a.ToId))
                .Select(a => new { a.FromId, a.ToId }).ToListAsync(ct)).Select(x => (x.FromId, x.ToId)));

        var obsByFinding = observations.ToLookup(o => o.FindingId);
        var membersByGroup = members.ToLookup(m => m.GroupId);
        var upstreamByTo = upstream.ToLookup(u => u.To, u => u.From);

        // The decision in force, materialised (ADR 025). A winner that expired since the last sweep is resolved again here,
        // for the few findings of the page it concerns.
        var now = DateTimeOffset.UtcNow;
        var vex = new Dictionary<long, FindingVex>(rows.Count);
        var expired = new HashSet<long>();
        foreach (var chunk in findingIds.Chunk(5000))
            foreach (var e in await db.EffectiveDecisions.AsNoTracking().Where(e => chunk.Contains(e.FindingId)).ToListAsync(ct))
            {
                if (e.ExpiresAt is { } x && DecisionRows.Offset(x) <= now) { expired.Add(e.FindingId); continue; }
                vex[e.FindingId] = new FindingVex(e.DecisionId, e.Status, e.Justification, e.ScopeKind, e.Source, e.Author, DecisionRows.Offset(e.DecidedAt));
            }
        if (expired.Count > 0)
        {
            var vexRefs = rows.Where(r => expired.Contains(r.Id)).Select(r => new VexFindingRef(r.Id, r.ArtifactId, r.Repository, r.Digest, r.Tags, r.TeamId,
                r.Purl ?? r.PackageKey, r.GroupId, r.CanonicalId, membersByGroup[r.GroupId].Select(m => m.VulnId).DefaultIfEmpty(r.CanonicalId).ToList(), r.Active)).ToList();
            var (statements, resolved) = await VexStatementQueries.ResolveAsync(db, vexRefs, now, ct);
            foreach (var (id, res) in resolved)
                if (res.Effective is { } w) vex[id] = statements.ById[w.Id].ToFindingVex();
        }
        var risks = await Runtime.FindingRiskViews.LoadAsync(db, findingIds, ct, vex.ToDictionary(kv => kv.Key, kv => (Triage.Core.Vex.VexStatus?)kv.Value.Status));

        return rows.Select(r =>
        {
            var ids = membersByGroup[r.GroupId].Select(m => m.VulnId).ToList();
            var obs = obsByFinding[r.Id].OrderBy(o => o.Scanner, StringComparer.Ordinal).ThenBy(o => o.RawVulnId, StringComparer.Ordinal).ToList();
            var image = r.Tags.Count > 0 ? $"{r.Repository}:{r.Tags[0]}" : r.Digest is not null ? $"{r.Repository}@{r.Digest}" : r.Repository;
            return new FindingView
            {
                Id = r.Id,
                ArtifactId = r.ArtifactId,
                GroupId = r.GroupId,
                Image = image,
                Repository = r.Repository,
                Digest = r.Digest,
                Tags = r.Tags,
                Package = new PackageView(r.Purl ?? r.PackageKey, r.Type, r.Namespace, DisplayName(r.Type, r.Namespace, r.Name), r.Version, r.SourceName, r.SourceVersion),
                Vulnerability = new VulnerabilityView(
                    r.CanonicalId,
                    ids.Where(i => i != r.CanonicalId).Order(StringComparer.Ordinal).ToList(),
                    ids.SelectMany(i => upstreamByTo[i]).Distinct().Order(StringComparer.Ordinal).ToList(),
                    membersByGroup[r.GroupId].FirstOrDefault(m => m.VulnId == r.CanonicalId).Title),
                Severity = r.Severity,
                Scanners = obs.Where(o => o.Active || !r.Active).Select(o => o.Scanner).Distinct().ToList(),
                FixedVersions = r.FixedVersions,
                Active = r.Active,
                FirstSeen = DateTime.SpecifyKind(r.FirstSeen, DateTimeKind.Utc),
                LastSeen = DateTime.SpecifyKind(r.LastSeen, DateTimeKind.Utc),
                Observations = obs.Select(o => new ObservationView(o.Scanner, o.RawVulnId, o.Severity, o.FixedVersions, o.FixState, o.Status, o.Active,
                    o.SeveritySource, o.CvssJson, o.PathsJson, o.RawPackageName, o.RawPackageVersion)).ToList(),
                Risk = risks.GetValueOrDefault(r.Id),
                Vex = vex.GetValueOrDefault(r.Id),
            };
        }).ToList();
    }

    /// <summary>"group:artifact" for Maven, "@scope/name" for npm, the module path for Go; else the name.</summary>
    public static string DisplayName(string type, string? ns, string name) =>
        new PackageKey(type, ns, name, "").DisplayName;
}
