using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Data.Import;

namespace Triage.Data.Rollups;

/// <summary>Keeps the stored sort and filter keys of <see cref="Finding"/> (package name, canonical vulnerability id,
/// scanner mask), the <see cref="FindingRollup"/> rows and the per-vulnerability and per-source-package sums
/// (<see cref="VulnerabilityRollup"/>, <see cref="SourcePackageRollup"/>) in step with the tables they summarise
/// (docs/decisions/090-query-scale.md). Every statement is plain SQL both providers run, scoped to one artifact or one
/// alias group, so an import pays for what it touched, never for the size of the database. The migration that added
/// the keys runs the same statements unscoped to backfill.</summary>
public static class FindingKeys
{
    /// <summary>The mask of active scanners of the finding in the outer UPDATE, as a correlated subquery.</summary>
    private static readonly string ScannerMaskSql =
        "(SELECT COALESCE(SUM(DISTINCT CASE o.\"Scanner\" " +
        string.Concat(ScannerKindNames.All.Select(k => $"WHEN '{k.ToWire()}' THEN {k.Bit()} ")) +
        "ELSE 0 END), 0) FROM \"Observations\" o WHERE o.\"FindingId\" = \"Findings\".\"Id\" AND o.\"Active\")";

    private const string CanonicalIdSql = "(SELECT g.\"CanonicalId\" FROM \"AliasGroups\" g WHERE g.\"Id\" = \"Findings\".\"GroupId\")";

    /// <summary>Sets every stored key of the findings <paramref name="where"/> selects (a condition on "Findings").</summary>
    public static string RefreshKeysSql(string where) =>
        "UPDATE \"Findings\" SET \"PackageName\" = (SELECT p.\"Name\" FROM \"Packages\" p WHERE p.\"Id\" = \"Findings\".\"PackageId\"), " +
        $"\"VulnerabilityId\" = {CanonicalIdSql}, \"ScannerMask\" = {ScannerMaskSql} WHERE {where}";

    /// <summary>Rewrites the rollup rows of the artifacts <paramref name="artifactWhere"/> selects (a condition on "ArtifactId").</summary>
    public static string[] RebuildRollupsSql(string artifactWhere) =>
    [
        $"DELETE FROM \"FindingRollups\" WHERE {artifactWhere}",
        "INSERT INTO \"FindingRollups\" (\"ArtifactId\", \"Severity\", \"FixAvailable\", \"ScannerMask\", \"Count\") " +
        "SELECT \"ArtifactId\", \"Severity\", \"FixAvailable\", \"ScannerMask\", COUNT(*) FROM \"Findings\" " +
        $"WHERE \"Active\" AND {artifactWhere} GROUP BY \"ArtifactId\", \"Severity\", \"FixAvailable\", \"ScannerMask\"",
    ];

    /// <summary>Rewrites the decided-findings rows of the artifacts <paramref name="artifactWhere"/> selects (a condition on
    /// "ArtifactId"): their active findings with an effective decision row, one primary-key probe per finding.</summary>
    public static string[] RebuildDecidedSql(string artifactWhere) =>
    [
        $"DELETE FROM \"DecidedFindingRollups\" WHERE {artifactWhere}",
        "INSERT INTO \"DecidedFindingRollups\" (\"ArtifactId\", \"Severity\", \"FixAvailable\", \"ScannerMask\", \"Count\") " +
        "SELECT \"ArtifactId\", \"Severity\", \"FixAvailable\", \"ScannerMask\", COUNT(*) FROM \"Findings\" " +
        $"WHERE \"Active\" AND {artifactWhere} AND EXISTS (SELECT 1 FROM \"EffectiveDecisions\" e WHERE e.\"FindingId\" = \"Findings\".\"Id\") " +
        "GROUP BY \"ArtifactId\", \"Severity\", \"FixAvailable\", \"ScannerMask\" " +
        // An upsert: a decision recomputed while an import rewrites the same image (they hold different locks) must not
        // fail on a row the other inserted after this statement's snapshot.
        "ON CONFLICT (\"ArtifactId\", \"Severity\", \"FixAvailable\", \"ScannerMask\") DO UPDATE SET \"Count\" = excluded.\"Count\"",
    ];

    /// <summary>After effective decisions of these findings were rewritten (inside the caller's transaction): the
    /// decided-findings rows of their artifacts.</summary>
    public static async Task RefreshDecidedAsync(TriageDbContext db, IReadOnlyCollection<long> findingIds, CancellationToken ct)
    {
        if (findingIds.Count == 0) return;
        var artifacts = new HashSet<long>();
        foreach (var chunk in findingIds.Chunk(2000))
        {
            var ids = chunk.ToList();
            artifacts.UnionWith(await db.Findings.AsNoTracking().Where(f => ids.Contains(f.Id)).Select(f => f.ArtifactId).Distinct().ToListAsync(ct));
        }
        foreach (var chunk in artifacts.Order().Chunk(500))
            foreach (var sql in RebuildDecidedSql($"\"ArtifactId\" IN ({IdList(chunk)})"))
                await db.Database.ExecuteSqlRawAsync(sql, ct);
    }

    /// <summary>The statements that fill every per-vulnerability and per-source-package rollup and the decided-findings
    /// rows from scratch (the migration's backfill; also a repair). The tables must be empty.</summary>
    public static string[] BackfillGroupRollupsSql() =>
    [
        .. RebuildDecidedSql("1 = 1"),
        .. GroupRollupSql.Vulnerability.RefreshSql(_ => "1 = 1"),
        .. GroupRollupSql.SourcePackage.RefreshSql(_ => "1 = 1"),
        "INSERT INTO \"PackageRollupKeys\" (\"PackageId\", \"SourceName\") SELECT p.\"Id\", COALESCE(p.\"SourceName\", p.\"Name\") FROM \"Packages\" p " +
        "WHERE p.\"Id\" IN (SELECT \"PackageId\" FROM \"Findings\")",
    ];

    /// <summary>After an import wrote one artifact's findings and observations: its rollup rows (by severity, decided, by
    /// priority), and its parts of the per-vulnerability and per-source-package sums. The findings' own keys are the
    /// importer's to write, with every finding it inserts or changes (<see cref="RefreshKeysSql"/> over every finding of the
    /// artifact cost ~0.1–0.2 s for 22,000 findings and ~10 ms for a rescan of 1,500).</summary>
    /// <param name="newArtifact">The image is new: its findings have no scores yet, so no priority rows to rebuild.</param>
    /// <param name="openFindingsChanged">The import inserted a finding or changed one's group, severity, fix or state: without
    /// that, the image's parts of the sums cannot have moved, unless one of its packages took a new source name (checked
    /// here: its part moves to the new name even when it is the only image holding the package).</param>
    internal static async Task RefreshArtifactAsync(ImportStore store, long artifactId, bool newArtifact, bool openFindingsChanged, CancellationToken ct)
    {
        foreach (var sql in RebuildRollupsSql("\"ArtifactId\" = @p0")) await store.ExecuteAsync(sql, ct, artifactId);
        foreach (var sql in RebuildDecidedSql("\"ArtifactId\" = @p0")) await store.ExecuteAsync(sql, ct, artifactId);
        // Open findings by priority: a new image's findings have no scores yet (nothing to count, no rows to remove);
        // a rescan opened and closed findings under their old scores. Scoring, when it follows, rewrites them again.
        if (!newArtifact)
            foreach (var sql in PriorityRollupSql.RebuildSql("\"ArtifactId\" = @p0")) await store.ExecuteAsync(sql, ct, artifactId);
        // The per-vulnerability and per-source-package sums: only the image's parts of them that changed (ADR 095).
        // (A new image has no parts yet: nothing to compare, every part is written.)
        if (newArtifact)
            foreach (var sql in GroupRollupSql.Vulnerability.RefreshSql(c => $"{c} = @p0")) await store.ExecuteAsync(sql, ct, artifactId);
        else if (openFindingsChanged)
            await GroupRollupSql.Vulnerability.UpdateChangedAsync(store, c => $"{c} = @p0", [artifactId], ct);

        // A package of this image that got its source name with this import moves, in every image, to the new name; then
        // every package of the image (the moved ones included) is recorded under the name it is now counted by.
        var moved = await store.QueryAsync(
            "SELECT k.\"PackageId\" FROM \"PackageRollupKeys\" k JOIN \"Packages\" p ON p.\"Id\" = k.\"PackageId\" " +
            "WHERE k.\"PackageId\" IN (SELECT \"PackageId\" FROM \"ArtifactPackages\" WHERE \"ArtifactId\" = @p0) " +
            "AND k.\"SourceName\" <> COALESCE(p.\"SourceName\", p.\"Name\")", r => r.GetInt64(0), ct, artifactId);
        var artifacts = new HashSet<long> { artifactId };
        foreach (var chunk in moved.Chunk(500))
            artifacts.UnionWith(await store.QueryAsync($"SELECT DISTINCT \"ArtifactId\" FROM \"Findings\" WHERE \"PackageId\" IN ({IdList(chunk)})",
                r => r.GetInt64(0), ct));
        if (newArtifact && artifacts.Count == 1)
            foreach (var sql in GroupRollupSql.SourcePackage.RefreshSql(c => $"{c} = @p0")) await store.ExecuteAsync(sql, ct, artifactId);
        else if (openFindingsChanged || moved.Count > 0)
            foreach (var chunk in artifacts.Order().Chunk(500))
                await GroupRollupSql.SourcePackage.UpdateChangedAsync(store, c => $"{c} IN ({IdList(chunk)})", [], ct);
        await store.ExecuteAsync(
            "INSERT INTO \"PackageRollupKeys\" (\"PackageId\", \"SourceName\") SELECT p.\"Id\", COALESCE(p.\"SourceName\", p.\"Name\") FROM \"Packages\" p " +
            "WHERE p.\"Id\" IN (SELECT \"PackageId\" FROM \"ArtifactPackages\" WHERE \"ArtifactId\" = @p0) AND NOT EXISTS (SELECT 1 FROM \"PackageRollupKeys\" k " +
            "WHERE k.\"PackageId\" = p.\"Id\" AND k.\"SourceName\" = COALESCE(p.\"SourceName\", p.\"Name\")) " +
            "ON CONFLICT (\"PackageId\") DO UPDATE SET \"SourceName\" = excluded.\"SourceName\"", ct, artifactId);
    }

    /// <summary>After alias groups merged or took a new canonical id: the findings of those groups get the group's id,
    /// and the artifacts they sit in get their rollup rows and sums' parts again (a merge may have folded two findings
    /// into one, and the absorbed group's parts leave with those artifacts' old parts).</summary>
    internal static async Task RefreshGroupsAsync(ImportStore store, IReadOnlyCollection<long> groupIds, CancellationToken ct)
    {
        if (groupIds.Count == 0) return;
        var artifacts = new HashSet<long>();
        foreach (var group in groupIds)
        {
            // Every key: the canonical id may have changed, and a merge may have moved observations onto a finding (its scanner mask).
            await store.ExecuteAsync(RefreshKeysSql("\"GroupId\" = @p0"), ct, group);
            artifacts.UnionWith(await store.QueryAsync("SELECT DISTINCT \"ArtifactId\" FROM \"Findings\" WHERE \"GroupId\" = @p0", r => r.GetInt64(0), ct, group));
        }
        foreach (var chunk in artifacts.Order().Chunk(500))
        {
            var where = $"\"ArtifactId\" IN ({IdList(chunk)})";
            foreach (var sql in RebuildRollupsSql(where)) await store.ExecuteAsync(sql, ct);
            foreach (var sql in RebuildDecidedSql(where)) await store.ExecuteAsync(sql, ct);
            foreach (var sql in PriorityRollupSql.RebuildSql(where)) await store.ExecuteAsync(sql, ct);
            await GroupRollupSql.Vulnerability.UpdateChangedAsync(store, c => $"{c} IN ({IdList(chunk)})", [], ct);
            await GroupRollupSql.SourcePackage.UpdateChangedAsync(store, c => $"{c} IN ({IdList(chunk)})", [], ct);
        }
    }

    /// <summary>Ids written into the statement: they are numbers, and one statement beats one round trip per id.</summary>
    private static string IdList(IEnumerable<long> ids) => string.Join(", ", ids.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
}
