using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Triage.Core.Domain;
using Triage.Core.Ranking;
using Triage.Data.Import;

namespace Triage.Data.Rollups;

/// <summary>How many active findings of one artifact have a stored score (<see cref="FindingRisk"/>) of one priority and
/// are ranked (not excluded by a VEX decision) (docs/decisions/090-query-scale.md). The dashboard's "open findings by
/// priority" adds these rows up instead of joining every open finding to its score. Kept by whatever writes scores
/// (<c>RiskScorer</c>) and by the importer's hook, which opens and closes findings; removed with the artifact.</summary>
public sealed class PriorityRollup
{
    public long ArtifactId { get; set; }
    public SsvcPriority Priority { get; set; }
    public int Count { get; set; }
}

/// <summary>PriorityRollups: at most one row per (artifact, priority), never a zero count.</summary>
internal sealed class PriorityRollupConfiguration : IEntityTypeConfiguration<PriorityRollup>
{
    public void Configure(EntityTypeBuilder<PriorityRollup> b)
    {
        b.ToTable("PriorityRollups");
        b.HasKey(x => new { x.ArtifactId, x.Priority });
        b.HasOne<Artifact>().WithMany().HasForeignKey(x => x.ArtifactId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>The upkeep of <see cref="PriorityRollup"/>. Every writer runs inside the write transaction that changes what
/// the rows count (imports and scoring are serialised: SQLite's write lock, PostgreSQL's import advisory lock), so an
/// adjustment by difference stays exact.</summary>
public static class PriorityRollupSql
{
    /// <summary>Rewrites the rows of the artifacts <paramref name="artifactWhere"/> selects (a condition on "ArtifactId")
    /// from their findings and scores: the importer's hook after it opened or closed findings, and the migration's
    /// backfill (with <c>1 = 1</c>). One primary-key probe into the scores per open finding of those artifacts.</summary>
    public static string[] RebuildSql(string artifactWhere) =>
    [
        $"DELETE FROM \"PriorityRollups\" WHERE {artifactWhere}",
        "INSERT INTO \"PriorityRollups\" (\"ArtifactId\", \"Priority\", \"Count\") " +
        "SELECT f.\"ArtifactId\", r.\"Priority\", COUNT(*) FROM \"Findings\" f JOIN \"FindingRisks\" r ON r.\"FindingId\" = f.\"Id\" " +
        $"WHERE f.\"Active\" AND NOT r.\"Excluded\" AND {artifactWhere} GROUP BY f.\"ArtifactId\", r.\"Priority\"",
    ];

    /// <summary>Replaces the rows of <paramref name="artifactIds"/> (null: every artifact) with <paramref name="counts"/>,
    /// which a scorer computed from every finding of those artifacts.</summary>
    internal static async Task ReplaceAsync(ImportStore store, IReadOnlyCollection<long>? artifactIds, Dictionary<(long ArtifactId, SsvcPriority Priority), int> counts,
        CancellationToken ct)
    {
        if (artifactIds is null) await store.ExecuteAsync("DELETE FROM \"PriorityRollups\"", ct);
        else
            foreach (var chunk in artifactIds.Order().Chunk(500))
                await store.ExecuteAsync($"DELETE FROM \"PriorityRollups\" WHERE \"ArtifactId\" IN ({IdList(chunk)})", ct);
        await store.InsertAsync("PriorityRollups", ["ArtifactId", "Priority", "Count"],
            counts.Where(kv => kv.Value != 0).OrderBy(kv => kv.Key).Select(kv => new object?[] { kv.Key.ArtifactId, (int)kv.Key.Priority, kv.Value }).ToList(), ct);
    }

    /// <summary>Adds <paramref name="deltas"/> (new minus old contributions of the findings a scorer rescored) and drops
    /// the rows of the touched artifacts that reached zero. Work in proportion to the (artifact, priority) pairs touched.</summary>
    internal static async Task AddAsync(ImportStore store, Dictionary<(long ArtifactId, SsvcPriority Priority), int> deltas, CancellationToken ct)
    {
        var changed = deltas.Where(kv => kv.Value != 0).OrderBy(kv => kv.Key).ToList();
        if (changed.Count == 0) return;
        await store.ExecuteForEachAsync(
            "INSERT INTO \"PriorityRollups\" (\"ArtifactId\", \"Priority\", \"Count\") VALUES (@p0, @p1, @p2) " +
            "ON CONFLICT (\"ArtifactId\", \"Priority\") DO UPDATE SET \"Count\" = \"PriorityRollups\".\"Count\" + excluded.\"Count\"", 3,
            changed.Select(kv => new object?[] { kv.Key.ArtifactId, (int)kv.Key.Priority, kv.Value }).ToList(), ct);
        foreach (var chunk in changed.Select(kv => kv.Key.ArtifactId).Distinct().Chunk(500))
            await store.ExecuteAsync($"DELETE FROM \"PriorityRollups\" WHERE \"Count\" = 0 AND \"ArtifactId\" IN ({IdList(chunk)})", ct);
    }

    /// <summary>Ids written into the statement: they are numbers, and one statement beats one round trip per id.</summary>
    private static string IdList(IEnumerable<long> ids) => string.Join(", ", ids.Select(i => i.ToString(CultureInfo.InvariantCulture)));
}
