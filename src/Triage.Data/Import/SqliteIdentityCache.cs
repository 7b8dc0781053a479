using System.Runtime.CompilerServices;
using SQLitePCL;

namespace Triage.Data.Import;

/// <summary>
/// The identity rows (vulnerability records, alias groups' canonical ids, packages) a SQLite import connection has read or
/// written, so that a run of imports over one file does not look the same ids up again (ADR 101). A run of 3,000 imports
/// spent ~15 % of its storing thread in these lookups, almost all of them for rows the same connection had touched a
/// moment before.
/// <para>It is kept per SQLite connection handle (a pooled connection keeps its handle, and with it the cache) and is only
/// trusted while nothing else has written to the file: each transaction that uses it first compares the connection's
/// <c>PRAGMA data_version</c> (changes when another connection commits), <c>PRAGMA schema_version</c> and
/// <c>sqlite3_total_changes</c> (rows this handle changed, whoever used it) with the values recorded after the last commit
/// of an import that kept the cache in step; any difference empties it. A report rolled back to its savepoint empties it
/// too, and so does an import that merged alias groups or renamed one (rare; the rows of other reports moved).</para>
/// <para>What a vulnerability record holds of the scanners' descriptive evidence is not cached, only fingerprints of the
/// reports' evidence already merged into it: merging is a union in which what a source said first stays, so evidence
/// merged once adds nothing when it comes again, and only a record with unseen evidence is read back for the merge.</para>
/// </summary>
internal sealed class SqliteIdentityCache
{
    private static readonly ConditionalWeakTable<sqlite3, SqliteIdentityCache> Caches = new();

    /// <summary>Past this many entries of a kind the cache starts again from empty (up to ~200 bytes an entry: ~20 MB for a
    /// full kind). Idle pooled handles keep their caches, so this bounds each of them; the dedup benchmark's 1,000 images
    /// stay well under it (40,000 records, 20,000 groups and assertions, 3,000 packages).</summary>
    internal const int MaxEntries = 100_000;

    private const int Fingerprints = 4;

    /// <summary>A report with more vulnerability records than this is stored without the cache, which it empties: one
    /// import of the 30 MiB benchmark report (22,000 records) paid more for fingerprints and entries (+0.15 s, +15 MB)
    /// than a later import could save, and runs of imports are of smaller reports.</summary>
    internal const int MaxReportRecords = 5_000;

    internal sealed class Vulnerability
    {
        public long Id;
        public long GroupId;
        public bool NoTitle;
        public bool NoDescription;
        private readonly UInt128[] _merged = new UInt128[Fingerprints];
        private int _count;

        /// <summary>This report evidence was merged into the record (or written with it) already.</summary>
        public bool Merged(UInt128 evidence)
        {
            for (var i = 0; i < Math.Min(_count, Fingerprints); i++)
                if (_merged[i] == evidence) return true;
            return false;
        }

        public void Remember(UInt128 evidence)
        {
            if (Merged(evidence)) return;
            _merged[_count % Fingerprints] = evidence;
            _count++;
        }
    }

    private readonly Dictionary<string, Vulnerability> _vulnerabilities = new(StringComparer.Ordinal);
    private readonly Dictionary<long, string> _canonical = [];
    private readonly Dictionary<string, (long Id, bool NoSource)> _packages = new(StringComparer.Ordinal);
    private readonly HashSet<Triage.Core.Identity.IdRelation> _assertions = [];
    private (long Data, long Schema, long Changes) _committed = (-1, -1, -1);
    private (long Data, long Schema) _pending;

    public static SqliteIdentityCache For(sqlite3 db) => Caches.GetValue(db, _ => new SqliteIdentityCache());

    /// <summary>Called inside the write transaction, before the cache is used: empties it unless the file is exactly as the
    /// last commit of an import that kept it in step left it.</summary>
    public void Begin(sqlite3 db)
    {
        var now = (Pragma(db, "PRAGMA data_version"), Pragma(db, "PRAGMA schema_version"), (long)raw.sqlite3_total_changes(db));
        if (now != _committed) Clear();
        _pending = (now.Item1, now.Item2);
        // Until this transaction commits, the cache is not known to match the file.
        _committed = (-1, -1, -1);
    }

    /// <summary>After the commit of a transaction whose writes to the identity tables all went through the cache.</summary>
    public void Committed(sqlite3 db) => _committed = (_pending.Data, _pending.Schema, raw.sqlite3_total_changes(db));

    public void Clear()
    {
        _vulnerabilities.Clear();
        _canonical.Clear();
        _packages.Clear();
        _assertions.Clear();
    }

    public bool TryGetVulnerability(string vulnId, out Vulnerability entry) => _vulnerabilities.TryGetValue(vulnId, out entry!);

    public void SetVulnerability(string vulnId, Vulnerability entry)
    {
        if (_vulnerabilities.Count >= MaxEntries && !_vulnerabilities.ContainsKey(vulnId)) _vulnerabilities.Clear();
        _vulnerabilities[vulnId] = entry;
    }

    public bool TryGetCanonical(long groupId, out string canonical) => _canonical.TryGetValue(groupId, out canonical!);

    public void SetCanonical(long groupId, string canonical)
    {
        if (_canonical.Count >= MaxEntries && !_canonical.ContainsKey(groupId)) _canonical.Clear();
        _canonical[groupId] = canonical;
    }

    public bool TryGetPackage(string key, out long id, out bool noSource)
    {
        var found = _packages.TryGetValue(key, out var entry);
        (id, noSource) = entry;
        return found;
    }

    public void SetPackage(string key, long id, bool noSource)
    {
        if (_packages.Count >= MaxEntries && !_packages.ContainsKey(key)) _packages.Clear();
        _packages[key] = (id, noSource);
    }

    /// <summary>The relation (with its source) is stored already: its row stays as first written.</summary>
    public bool Asserted(Triage.Core.Identity.IdRelation relation) => _assertions.Contains(relation);

    public void SetAsserted(Triage.Core.Identity.IdRelation relation)
    {
        if (_assertions.Count >= MaxEntries) _assertions.Clear();
        _assertions.Add(relation);
    }

    private static long Pragma(sqlite3 db, string sql)
    {
        var rc = raw.sqlite3_prepare_v2(db, sql, out var stmt);
        using (stmt)
        {
            if (rc == raw.SQLITE_OK) rc = raw.sqlite3_step(stmt);
            if (rc != raw.SQLITE_ROW)
                throw new Microsoft.Data.Sqlite.SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), rc, raw.sqlite3_extended_errcode(db));
            return raw.sqlite3_column_int64(stmt, 0);
        }
    }
}
