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
    private GroupRollupSql(string rollups, string parts, string[] keys, string[] keyExpressions, string from, bool keysAreIds)
    {
        _keysAreIds = keysAreIds;
        _rollups = rollups;
        _parts = parts;
        _keys = keys;
        _keyExpressions = keyExpressions;
        _from = from;
    }

    public static readonly GroupRollupSql Vulnerability = new("VulnerabilityRollups", "VulnerabilityRollupParts",
        ["GroupId"], ["f.\"GroupId\""], "\"Findings\" f", keysAreIds: true);

    // The key FindingGroupQueries.BySourcePackageAsync groups by: (type, source name else name).
    public static readonly GroupRollupSql SourcePackage = new("SourcePackageRollups", "SourcePackageRollupParts",
        ["PackageType", "SourceName"], ["p.\"Type\"", "COALESCE(p.\"SourceName\", p.\"Name\")"],
        "\"Findings\" f JOIN \"Packages\" p ON p.\"Id\" = f.\"PackageId\"", keysAreIds: false);

    private readonly string _rollups;
    private readonly string _parts;
    private readonly string[] _keys;
    private readonly string[] _keyExpressions;
    private readonly string _from;
    /// <summary>The keys are row ids (numbers), else text.</summary>
    private readonly bool _keysAreIds;

    private static readonly (Severity Severity, string Column)[] Worst =
    [
        (Severity.Critical, "WorstCritical"), (Severity.High, "WorstHigh"), (Severity.Medium, "WorstMedium"),
        (Severity.Low, "WorstLow"), (Severity.Unknown, "WorstUnknown"),
    ];

    private string KeyList(string? alias = null) => string.Join(", ", _keys.Select(k => alias is null ? Q(k) : $"{alias}.{Q(k)}"));

    private static string Q(string name) => "\"" + name + "\"";

    /// <summary>Rewrites the parts and sums for the images <paramref name="artifactWhere"/> selects from scratch (a new image,
    /// whose stored parts are none; the migration's backfill); it is given a column
    /// ("ArtifactId" qualified or not) and returns a condition on it.</summary>
    public string[] RefreshSql(Func<string, string> artifactWhere)
    {
        var keyRow = _keys.Length == 1 ? KeyList() : $"({KeyList()})";
        return
        [
            AddPartsSql(Q(_parts), artifactWhere("\"ArtifactId\""), -1),
            $"DELETE FROM {Q(_rollups)} WHERE \"Images\" <= 0 AND {keyRow} IN (SELECT {KeyList()} FROM {Q(_parts)} WHERE {artifactWhere("\"ArtifactId\"")})",
            $"DELETE FROM {Q(_parts)} WHERE {artifactWhere("\"ArtifactId\"")}",
            $"INSERT INTO {Q(_parts)} (\"ArtifactId\", {KeyList()}, \"MaxSeverity\", \"Findings\", \"Fixable\") " + PartsFromFindingsSql(artifactWhere),
            AddPartsSql(Q(_parts), artifactWhere("\"ArtifactId\""), +1),
        ];
    }

    /// <summary>The parts of the selected images as their findings make them now (ArtifactId, keys, MaxSeverity, Findings,
    /// Fixable).</summary>
    private string PartsFromFindingsSql(Func<string, string> artifactWhere) =>
        $"SELECT f.\"ArtifactId\", {string.Join(", ", _keyExpressions)}, MAX(f.\"Severity\"), COUNT(*), SUM(CASE WHEN f.\"FixAvailable\" THEN 1 ELSE 0 END) " +
        $"FROM {_from} WHERE f.\"Active\" AND {artifactWhere("f.\"ArtifactId\"")} GROUP BY f.\"ArtifactId\", {string.Join(", ", _keyExpressions)}";

    /// <summary>Brings the parts of the selected images, and the sums, to what the images' findings make now, touching only
    /// the parts that changed. One statement reads the difference both ways (stored parts no longer true, parts the
    /// findings make that are not stored; parts are unique per image and key); then the stale parts are subtracted from
    /// the sums and deleted, and the new ones added and inserted. A rescan that found what the last scan found changes no
    /// part and costs that one statement; one that added a finding rewrites the one part it changed, where
    /// <see cref="RefreshSql"/> subtracts and re-adds every part of the image (each moving its sum in the grid's index).</summary>
    public async Task UpdateChangedAsync(Import.ImportStore store, Func<string, string> artifactWhere, object?[] args, CancellationToken ct)
    {
        var stored = $"SELECT {PartColumns()} FROM {Q(_parts)} WHERE {artifactWhere("\"ArtifactId\"")}";
        var fresh = PartsFromFindingsSql(artifactWhere);
        var width = _keys.Length + 4;
        var changes = await store.QueryAsync(
            $"SELECT -1, a.* FROM ({stored} EXCEPT {fresh}) a UNION ALL SELECT 1, b.* FROM ({fresh} EXCEPT {stored}) b",
            r =>
            {
                var row = new object?[width + 1];
                row[0] = r.GetInt32(0);
                row[1] = r.GetInt64(1);
                for (var k = 0; k < _keys.Length; k++) row[2 + k] = _keysAreIds ? r.GetInt64(2 + k) : store.Str(r, 2 + k);
                for (var c = 2 + _keys.Length; c <= width; c++) row[c] = r.GetInt64(c);
                return row;
            }, ct, args);
        if (changes.Count == 0) return;

        var keyRow = _keys.Length == 1 ? KeyList() : $"({KeyList()})";
        foreach (var chunk in changes.Where(r => (int)r[0]! < 0).Chunk(500))
        {
            var (source, values) = ValuesSource(store, chunk);
            await store.ExecuteValuesAsync(AddPartsSql(source, "1 = 1", -1), values, ct);
            await store.ExecuteValuesAsync($"DELETE FROM {Q(_rollups)} WHERE \"Images\" <= 0 AND {keyRow} IN (SELECT {KeyList()} FROM {source})", values, ct);
            await store.ExecuteValuesAsync($"DELETE FROM {Q(_parts)} WHERE (\"ArtifactId\", {KeyList()}) IN (SELECT \"ArtifactId\", {KeyList()} FROM {source})", values, ct);
        }
        foreach (var chunk in changes.Where(r => (int)r[0]! > 0).Chunk(500))
        {
            var (source, values) = ValuesSource(store, chunk);
            await store.ExecuteValuesAsync(AddPartsSql(source, "1 = 1", +1), values, ct);
            await store.ExecuteValuesAsync($"INSERT INTO {Q(_parts)} ({PartColumns()}) SELECT {PartColumns()} FROM {source}", values, ct);
        }
    }

    private string PartColumns() => $"\"ArtifactId\", {KeyList()}, \"MaxSeverity\", \"Findings\", \"Fixable\"";

    /// <summary>Parts given as parameters, as a derived table with the parts table's column names (a VALUES list names its
    /// columns column1, column2, … on both providers). Each row is (sign, ArtifactId, keys…, MaxSeverity, Findings, Fixable).</summary>
    private (string Source, object?[] Values) ValuesSource(Import.ImportStore store, IReadOnlyList<object?[]> rows)
    {
        var names = new[] { "ArtifactId" }.Concat(_keys).Concat(["MaxSeverity", "Findings", "Fixable"]).ToArray();
        var values = new object?[rows.Count * names.Length];
        var list = new System.Text.StringBuilder();
        for (var i = 0; i < rows.Count; i++)
        {
            list.Append(i == 0 ? "(" : ", (");
            for (var c = 0; c < names.Length; c++)
            {
                var n = i * names.Length + c;
                values[n] = rows[i][c + 1];
                list.Append(c == 0 ? "" : ", ").Append(store.Placeholder(n));
            }
            list.Append(')');
        }
        var columns = string.Join(", ", names.Select((name, c) => $"v.column{c + 1} AS {Q(name)}"));
        return ($"(SELECT {columns} FROM (VALUES {list}) v) s", values);
    }

    /// <summary>Adds (<paramref name="sign"/> +1) or subtracts (-1) the parts of the selected images to the sums, creating
    /// the sums a new group needs. The worst severity is derived from the Worst… columns after the change.</summary>
    private string AddPartsSql(string source, string where, int sign)
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
               $"FROM {source} WHERE {where} GROUP BY {KeyList()} " +
               $"ON CONFLICT ({KeyList()}) DO UPDATE SET {updates}, \"MaxSeverity\" = {max}";
    }
}
