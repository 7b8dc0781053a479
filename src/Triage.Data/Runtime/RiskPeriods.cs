using System.Data.Common;
using Triage.Data.Import;

namespace Triage.Data.Runtime;

/// <summary>
/// Keeps the history of priorities and verdicts as they are written again (ADR 108). A writer deletes the stored rows of
/// its scope as it always did, now with <c>RETURNING</c> each deleted row's value and the moment it took effect
/// (<see cref="DeleteReturningAsync"/>); <see cref="Carry"/> then gives each new row that moment when its value is the same,
/// and makes a period (<c>FindingRiskPeriods</c>) of every value replaced by another or withdrawn, which
/// <see cref="InsertAsync"/> appends in the same transaction in one bulk insert. Nothing is read per row, and nothing is
/// written for a value that did not change, so a new image's import writes no period at all.
/// </summary>
internal static class RiskPeriods
{
    public const string Table = "FindingRiskPeriods";
    private static readonly string[] Columns = ["FindingId", "Priority", "Verdict", "Since", "Until"];

    /// <summary>Which stored value a period keeps.</summary>
    public enum Kind
    {
        Priority,
        Verdict,
    }

    /// <summary>A deleted row: its value (the enum as stored) and when it took effect.</summary>
    public readonly record struct Stored(int Value, DateTime Since);

    /// <summary>Runs <paramref name="sql"/>, a <c>DELETE … RETURNING</c> of (finding id, value, since), for every key in
    /// chunks (or once when <paramref name="keys"/> is null), and returns what it deleted by finding.</summary>
    public static async Task<Dictionary<long, Stored>> DeleteReturningAsync(ImportStore store, string sql, IReadOnlyCollection<long>? keys,
        CancellationToken ct)
    {
        var deleted = new Dictionary<long, Stored>();
        if (keys is null)
        {
            Add(await store.QueryAsync(sql, Read, ct));
            return deleted;
        }
        foreach (var chunk in keys.Chunk(900))
        {
            var names = string.Join(',', chunk.Select((_, i) => "@p" + i));
            Add(await store.QueryAsync(sql.Replace("{keys}", names, StringComparison.Ordinal), Read, ct, chunk.Cast<object?>().ToArray()));
        }
        return deleted;

        void Add(List<(long FindingId, Stored Row)> rows)
        {
            foreach (var (id, row) in rows) deleted[id] = row;
        }
    }

    private static (long, Stored) Read(DbDataReader r) => (r.GetInt64(0), new Stored(r.GetInt32(1), RiskInputLoader.Utc(r.GetDateTime(2))));

    /// <summary>
    /// Sets each new row's since column: the deleted row's when the value is the same, else <paramref name="now"/>. Returns
    /// the periods to keep: each deleted value replaced by another or not written again, from its since to
    /// <paramref name="now"/> (none when it held for no time, e.g. twice in one instant).
    /// </summary>
    /// <param name="rows">The rows about to be inserted; column <paramref name="idColumn"/> holds the finding id,
    /// <paramref name="valueColumn"/> the value, <paramref name="sinceColumn"/> is set here.</param>
    public static List<object?[]> Carry(Dictionary<long, Stored> deleted, List<object?[]> rows, int idColumn, int valueColumn, int sinceColumn,
        Kind kind, DateTime now)
    {
        var periods = new List<object?[]>();
        foreach (var row in rows)
        {
            var id = (long)row[idColumn]!;
            var value = Convert.ToInt32(row[valueColumn], System.Globalization.CultureInfo.InvariantCulture);
            row[sinceColumn] = now;
            if (!deleted.Remove(id, out var old)) continue;
            if (old.Value == value) row[sinceColumn] = old.Since;
            else Period(id, old);
        }
        foreach (var (id, old) in deleted) Period(id, old);
        return periods;

        void Period(long findingId, Stored old)
        {
            if (old.Since >= now) return;
            periods.Add(kind == Kind.Priority
                ? [findingId, old.Value, null, old.Since, now]
                : [findingId, null, old.Value, old.Since, now]);
        }
    }

    public static Task InsertAsync(ImportStore store, List<object?[]> periods, CancellationToken ct) =>
        store.InsertAsync(Table, Columns, periods, ct);
}
