using Triage.Core.Domain;

namespace Triage.Data.Rollups;

/// <summary>
/// The statements that keep <see cref="VulnerabilityRollup"/> and <see cref="SourcePackageRollup"/> equal to the open
/// findings they sum (docs/decisions/090-query-scale.md). For a set of images: subtract their stored parts from the
/// sums, drop the sums that reached zero, rewrite the parts from the images' findings, add them back. Every statement
/// reads only those images' findings and parts (through their ArtifactId indexes) and the sums they touch, so an import
/// pays for its own rows whatever the size of the database. Plain SQL both providers run (upserts with ON CONFLICT, row
/// values); the migration runs the same statements over every image to backfill.
/// </summary>
internal sealed class GroupRollupSql
{
    private GroupRollupSql(string rollups, string parts, string[] keys, string[] keyExpressions, string from)
    {
        _rollups = rollups;
        _parts = parts;
        _keys = keys;
        _keyExpressions = keyExpressions;
        _from = from;
    }

    public static readonly GroupRollupSql Vulnerability = new("VulnerabilityRollups", "VulnerabilityRollupParts",
        ["GroupId"], ["f.\"GroupId\""], "\"Findings\" f");

    // The key FindingGroupQueries.BySourcePackageAsync groups by: (type, source name else name).
    public static readonly GroupRollupSql SourcePackage = new("SourcePackageRollups", "SourcePackageRollupParts",
        ["PackageType", "SourceName"], ["p.\"Type\"", "COALESCE(p.\"SourceName\", p.\"Name\")"],
        "\"Findings\" f JOIN \"Packages\" p ON p.\"Id\" = f.\"PackageId\"");

    private readonly string _rollups;
    private readonly string _parts;
    private readonly string[] _keys;
    private readonly string[] _keyExpressions;
    private readonly string _from;

    private static readonly (Severity Severity, string Column)[] Worst =
    [
        (Severity.Critical, "WorstCritical"), (Severity.High, "WorstHigh"), (Severity.Medium, "WorstMedium"),
        (Severity.Low, "WorstLow"), (Severity.Unknown, "WorstUnknown"),
    ];

    private string KeyList(string? alias = null) => string.Join(", ", _keys.Select(k => alias is null ? Q(k) : $"{alias}.{Q(k)}"));

    private static string Q(string name) => "\"" + name + "\"";

    /// <summary>Rewrites the sums for the images <paramref name="artifactWhere"/> selects; it is given a column
    /// ("ArtifactId" qualified or not) and returns a condition on it.</summary>
    public string[] RefreshSql(Func<string, string> artifactWhere)
    {
        var keyRow = _keys.Length == 1 ? KeyList() : $"({KeyList()})";
        return
        [
            AddPartsSql(artifactWhere("\"ArtifactId\""), -1),
            $"DELETE FROM {Q(_rollups)} WHERE \"Images\" <= 0 AND {keyRow} IN (SELECT {KeyList()} FROM {Q(_parts)} WHERE {artifactWhere("\"ArtifactId\"")})",
            $"DELETE FROM {Q(_parts)} WHERE {artifactWhere("\"ArtifactId\"")}",
            $"INSERT INTO {Q(_parts)} (\"ArtifactId\", {KeyList()}, \"MaxSeverity\", \"Findings\", \"Fixable\") " + PartsFromFindingsSql(artifactWhere),
            AddPartsSql(artifactWhere("\"ArtifactId\""), +1),
        ];
    }

    /// <summary>The parts of the selected images as their findings make them now (ArtifactId, keys, MaxSeverity, Findings,
    /// Fixable).</summary>
    private string PartsFromFindingsSql(Func<string, string> artifactWhere) =>
        $"SELECT f.\"ArtifactId\", {string.Join(", ", _keyExpressions)}, MAX(f.\"Severity\"), COUNT(*), SUM(CASE WHEN f.\"FixAvailable\" THEN 1 ELSE 0 END) " +
        $"FROM {_from} WHERE f.\"Active\" AND {artifactWhere("f.\"ArtifactId\"")} GROUP BY f.\"ArtifactId\", {string.Join(", ", _keyExpressions)}";

    /// <summary>Whether the stored parts of the selected images are what their findings make now. A rescan that found what
    /// the last scan found (or another scanner confirming the same findings) changes no part, and then none of the five
    /// statements of <see cref="RefreshSql"/> would change a row. One statement compares both sides in the database
    /// (the set difference each way; parts are unique per image and key).</summary>
    public async Task<bool> PartsCurrentAsync(Import.ImportStore store, Func<string, string> artifactWhere, object?[] args, CancellationToken ct)
    {
        var stored = $"SELECT \"ArtifactId\", {KeyList()}, \"MaxSeverity\", \"Findings\", \"Fixable\" FROM {Q(_parts)} WHERE {artifactWhere("\"ArtifactId\"")}";
        var fresh = PartsFromFindingsSql(artifactWhere);
        var differs = await store.ScalarAsync<long?>(
            $"SELECT 1 WHERE EXISTS (SELECT 1 FROM ({stored} EXCEPT {fresh}) a) OR EXISTS (SELECT 1 FROM ({fresh} EXCEPT {stored}) b)", ct, args);
        return differs is null;
    }

    /// <summary>Adds (<paramref name="sign"/> +1) or subtracts (-1) the parts of the selected images to the sums, creating
    /// the sums a new group needs. The worst severity is derived from the Worst… columns after the change.</summary>
    private string AddPartsSql(string where, int sign)
    {
        var s = sign < 0 ? "-" : "";
        var worstSums = string.Join(", ", Worst.Select(w => $"{s}SUM(CASE WHEN \"MaxSeverity\" = {(int)w.Severity} THEN 1 ELSE 0 END)"));
        var worstCols = string.Join(", ", Worst.Select(w => Q(w.Column)));
        var t = Q(_rollups);
        var updates = string.Join(", ",
            new[] { "Findings", "Images", "Fixable" }.Concat(Worst.Select(w => w.Column)).Select(c => $"{Q(c)} = {t}.{Q(c)} + excluded.{Q(c)}"));
        var max = "CASE " + string.Join(" ", Worst.Where(w => w.Severity != Severity.Unknown)
            .Select(w => $"WHEN {t}.{Q(w.Column)} + excluded.{Q(w.Column)} > 0 THEN {(int)w.Severity}")) + " ELSE 0 END";
        // A new sum (only ever from adding) starts at the parts' worst severity.
        return $"INSERT INTO {t} ({KeyList()}, \"MaxSeverity\", \"Findings\", \"Images\", \"Fixable\", {worstCols}) " +
               $"SELECT {KeyList()}, MAX(\"MaxSeverity\"), {s}SUM(\"Findings\"), {s}COUNT(*), {s}SUM(\"Fixable\"), {worstSums} " +
               $"FROM {Q(_parts)} WHERE {where} GROUP BY {KeyList()} " +
               $"ON CONFLICT ({KeyList()}) DO UPDATE SET {updates}, \"MaxSeverity\" = {max}";
    }
}
