using Triage.Core.Domain;
using Triage.Data.Import;

namespace Triage.Data.Rollups;

/// <summary>Keeps the stored sort and filter keys of <see cref="Finding"/> (package name, canonical vulnerability id,
/// scanner mask) and the <see cref="FindingRollup"/> rows in step with the tables they summarise
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

    /// <summary>After an import wrote one artifact's findings and observations: its keys and rollup rows.</summary>
    /// <param name="keysCurrent">The importer wrote every finding of the artifact with its keys (a new image): the
    /// UPDATE of every finding would only rewrite them (~0.1–0.2 s for 22,000 findings).</param>
    internal static async Task RefreshArtifactAsync(ImportStore store, long artifactId, CancellationToken ct, bool keysCurrent = false)
    {
        if (!keysCurrent) await store.ExecuteAsync(RefreshKeysSql("\"ArtifactId\" = @p0"), ct, artifactId);
        foreach (var sql in RebuildRollupsSql("\"ArtifactId\" = @p0")) await store.ExecuteAsync(sql, ct, artifactId);
    }

    /// <summary>After alias groups merged or took a new canonical id: the findings of those groups get the group's id,
    /// and the artifacts they sit in get their rollup rows again (a merge may have folded two findings into one).</summary>
    internal static async Task RefreshGroupsAsync(ImportStore store, IReadOnlyCollection<long> groupIds, CancellationToken ct)
    {
        foreach (var group in groupIds)
        {
            await store.ExecuteAsync($"UPDATE \"Findings\" SET \"VulnerabilityId\" = {CanonicalIdSql} WHERE \"GroupId\" = @p0", ct, group);
            var artifacts = await store.QueryAsync("SELECT DISTINCT \"ArtifactId\" FROM \"Findings\" WHERE \"GroupId\" = @p0", r => r.GetInt64(0), ct, group);
            foreach (var artifact in artifacts)
                foreach (var sql in RebuildRollupsSql("\"ArtifactId\" = @p0")) await store.ExecuteAsync(sql, ct, artifact);
        }
    }
}
