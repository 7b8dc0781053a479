using Microsoft.EntityFrameworkCore;
using Triage.Data;
using Triage.Data.Queries;
using Triage.Web.Infrastructure.Access;

namespace Triage.Web.Features.Findings;

/// <summary>"CVE-… in package" for findings named in lists (a session's queue and feed, the dashboard's decisions).</summary>
public static class FindingLabels
{
    /// <summary>A label for each finding the reader may see; findings they may not see have none.</summary>
    public static async Task<Dictionary<long, string>> LoadAsync(TriageDbContext db, IReadOnlyCollection<long> findingIds, UserAccess user, CancellationToken ct = default)
    {
        var result = new Dictionary<long, string>();
        foreach (var chunk in findingIds.Distinct().Chunk(500))
        {
            var ids = chunk.ToList();
            var rows = await (from f in user.Visible(db, db.Findings.AsNoTracking().Where(f => ids.Contains(f.Id)))
                              join g in db.AliasGroups on f.GroupId equals g.Id
                              join p in db.Packages on f.PackageId equals p.Id
                              select new { f.Id, g.CanonicalId, p.Type, p.Namespace, p.Name }).ToListAsync(ct);
            foreach (var r in rows) result[r.Id] = $"{r.CanonicalId} in {FindingQueries.DisplayName(r.Type, r.Namespace, r.Name)}";
        }
        return result;
    }
}
