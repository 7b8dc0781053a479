using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Triage.Core.Domain;
using Triage.Core.Enrichment;
using Triage.Core.Ingest;
using Triage.Core.Ranking;
using Triage.Data.Import;

namespace Triage.Data.Runtime;

/// <summary>
/// Called with the CVEs that entered KEV in an import (and the date CISA added each), so decisions about them are flagged
/// for re-review; by default the VEX decision store's <c>DecisionService.FlagKevListedAsync</c>. Returns how many decisions
/// were flagged.
/// </summary>
public delegate Task<int> KevListedHandler(IReadOnlyDictionary<string, DateTimeOffset> dateAddedByCve, CancellationToken ct);

public sealed record EnrichmentImportOptions
{
    public string? ImportedBy { get; init; }
    /// <summary>Largest file accepted: the full EPSS CSV is about 10 MiB, the KEV JSON about 1.3 MiB.</summary>
    public long MaxBytes { get; init; } = 256L * 1024 * 1024;
    /// <summary>Largest content a gzip EPSS file may inflate to (the file itself is held to <see cref="MaxBytes"/>).</summary>
    public long MaxDecompressedBytes { get; init; } = EpssReadOptions.DefaultMaxDecompressedBytes;
}

/// <summary>What one enrichment import did: the contract of `triage enrich --json` and POST /api/v1/enrichment.</summary>
public sealed record EnrichmentSummary
{
    public required string Source { get; init; }
    /// <summary>kev or epss.</summary>
    public required string Feed { get; init; }
    public required string Format { get; init; }
    public string? Version { get; init; }
    public DateOnly? DataDate { get; init; }
    public int Rows { get; init; }
    public int Added { get; init; }
    public int Removed { get; init; }
    public int Changed { get; init; }
    public bool Duplicate { get; init; }
    public required string Sha256 { get; init; }
    /// <summary>Decisions flagged for re-review because their CVE entered KEV.</summary>
    public int ReReviewFlagged { get; init; }
    public RiskRefreshResult Refresh { get; init; } = RiskRefreshResult.None;
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>
/// Imports CISA KEV catalogs (JSON or CSV) and FIRST EPSS scores (CSV plain or gzip, or the API's JSON), detected
/// from content. A KEV catalog replaces the previous one (it is complete); EPSS scores are upserted per CVE and a
/// score never replaces a newer one. Then the findings the change reaches through their alias groups are scored again
/// (every finding after KEV; after EPSS those whose group holds a CVE whose score or percentile moved or is new, and those
/// whose decision in force changed or expired since they were scored: ADR 035).
/// The same bytes twice change nothing.
/// </summary>
public sealed class EnrichmentService(string connectionString, RankingPolicy? policy = null, RuntimeSettings? settings = null, TimeProvider? time = null,
    KevListedHandler? kevListed = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    // Decisions about CVEs entering KEV are flagged in the VEX decision store unless a test passes its own handler.
    private readonly KevListedHandler _kevListed = kevListed ?? ((cves, ct) => new Vex.DecisionService(connectionString, time).FlagKevListedAsync(cves, ct));

    public async Task<EnrichmentSummary> ImportAsync(Stream content, string source, EnrichmentImportOptions options, CancellationToken ct = default)
    {
        var timer = ImportTimings.Start();
        var bytes = await ReadAllAsync(content, options.MaxBytes, ct);
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var feed = Detect(bytes);
        await TriageDatabase.EnsureMigratedAsync(connectionString, ct);
        var now = Truncate(_time.GetUtcNow().UtcDateTime);
        timer.Lap("enrich: read, detect, migration check");
        var risk = new FindingRiskService(connectionString, policy, settings, _time);
        if (feed == EnrichmentFeed.Kev)
        {
            // A KEV catalog is small and replaces the previous one whole: every finding is scored again.
            var kev = await ImportKevAsync(await KevCatalogParser.ParseAsync(new MemoryStream(bytes), ct), source, sha, options, now, ct);
            if (kev.Duplicate || (kev.Added == 0 && kev.Removed == 0 && kev.Changed == 0)) return kev;
            return kev with { Refresh = await risk.RescoreAllAsync(ct) };
        }
        var read = new EpssReadOptions { MaxDecompressedBytes = options.MaxDecompressedBytes };
        var (epss, rescore) = await ImportEpssAsync(await EpssParser.ParseAsync(new MemoryStream(bytes), read, ct), source, sha, options, now, ct);
        timer.Lap("enrich: parse and store");
        return rescore.Count == 0 ? epss : epss with { Refresh = await risk.RescoreFindingsAsync(rescore, ct) };
    }

    /// <summary>KEV or EPSS, from the first bytes (gzip is looked into).</summary>
    internal static EnrichmentFeed Detect(byte[] bytes)
    {
        var head = bytes.AsSpan(0, Math.Min(bytes.Length, 64 * 1024)).ToArray();
        if (head.Length >= 2 && head[0] == 0x1F && head[1] == 0x8B)
        {
            try
            {
                using var gz = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
                var buffer = new byte[64 * 1024];
                var n = 0;
                int read;
                while (n < buffer.Length && (read = gz.Read(buffer, n, buffer.Length - n)) > 0) n += read;
                head = buffer[..n];
            }
            catch (InvalidDataException e)
            {
                throw new ReportFormatException(ReportErrorCode.InvalidJson, $"enrichment: the gzip data is damaged ({e.Message}).", inner: e);
            }
        }
        var text = Encoding.UTF8.GetString(head).TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        if (text.Length == 0) throw new ReportFormatException(ReportErrorCode.Empty, "enrichment: the file is empty.");
        if (text[0] is '{' or '[')
        {
            // JSON: the KEV catalog by its keys, EPSS (the API's object or a plain array of rows) by its "epss" field;
            // other JSON (a pod list, a scan report) is neither, whatever its first character.
            if (text[0] == '{' && (text.Contains("\"catalogVersion\"", StringComparison.Ordinal) || text.Contains("\"cveID\"", StringComparison.Ordinal)
                || text.Contains("Known Exploited Vulnerabilities", StringComparison.OrdinalIgnoreCase)))
                return EnrichmentFeed.Kev;
            if (text.Contains("\"epss\"", StringComparison.Ordinal)) return EnrichmentFeed.Epss;
        }
        if (text.StartsWith("cveID", StringComparison.OrdinalIgnoreCase) || text.StartsWith("\"cveID\"", StringComparison.OrdinalIgnoreCase)) return EnrichmentFeed.Kev;
        var firstLine = text.Split('\n', 3);
        if (text.StartsWith("#model_version", StringComparison.Ordinal) || firstLine[0].Replace(" ", "", StringComparison.Ordinal).StartsWith("cve,epss", StringComparison.OrdinalIgnoreCase))
            return EnrichmentFeed.Epss;
        throw new ReportFormatException(ReportErrorCode.NotAScanReport,
            "enrichment: neither a CISA KEV catalog (JSON or CSV with a cveID header) nor FIRST EPSS scores (CSV with cve,epss,percentile, plain or gzip, or JSON).");
    }

    private sealed record KevRow(DateTime DateAdded, DateTime? DueDate, RansomwareUse Ransomware, DateTime FirstImportedAt);

    private async Task<EnrichmentSummary> ImportKevAsync(KevCatalog catalog, string source, string sha, EnrichmentImportOptions options, DateTime now, CancellationToken ct)
    {
        var warnings = catalog.Warnings.ToList();
        if (catalog.DeclaredCount is { } declared && declared != catalog.Entries.Count)
            warnings.Add($"the catalog declares {declared} entries, {catalog.Entries.Count} were read");
        DateOnly? dataDate = catalog.DateReleased is { } released ? DateOnly.FromDateTime(released.UtcDateTime)
            : catalog.Entries.Count > 0 ? catalog.Entries.Values.Max(e => e.DateAdded) : null;
        var baseSummary = new EnrichmentSummary
        {
            Source = source, Feed = "kev", Format = catalog.Format, Version = catalog.CatalogVersion, DataDate = dataDate, Rows = catalog.Entries.Count, Sha256 = sha,
            Warnings = warnings,
        };
        if (catalog.Entries.Count == 0) throw new ReportFormatException(ReportErrorCode.Empty, "CISA KEV catalog: no entries; the catalog in use is kept.");

        var added = new Dictionary<string, DateTimeOffset>(StringComparer.OrdinalIgnoreCase);
        int removed, changed;
        await using (var store = await ImportStore.BeginAsync(connectionString, ct))
        {
            if (await DuplicateAsync(store, EnrichmentFeed.Kev, sha, ct)) return baseSummary with { Duplicate = true };
            var newest = await store.ScalarAsync<DateTime?>(
                "SELECT MAX(\"DataDate\") FROM \"EnrichmentImports\" WHERE \"Feed\" = @p0", ct, (int)EnrichmentFeed.Kev);
            if (newest is { } n && dataDate is { } d && d.ToDateTime(TimeOnly.MinValue) < RiskInputLoader.Utc(n).Date)
                throw new ArgumentException($"this KEV catalog ({d:yyyy-MM-dd}) is older than the one in use ({n:yyyy-MM-dd}); it was not imported");

            var existing = (await SqlSource.Of(store).QueryAsync(
                    "SELECT \"CveId\", \"DateAdded\", \"DueDate\", \"Ransomware\", \"FirstImportedAt\" FROM \"KevListings\"",
                    r => (Cve: r.GetString(0), Row: new KevRow(RiskInputLoader.Utc(r.GetDateTime(1)), r.IsDBNull(2) ? null : RiskInputLoader.Utc(r.GetDateTime(2)),
                        (RansomwareUse)r.GetInt32(3), RiskInputLoader.Utc(r.GetDateTime(4)))), ct))
                .ToDictionary(x => x.Cve, x => x.Row, StringComparer.OrdinalIgnoreCase);
            var rows = new List<object?[]>(catalog.Entries.Count);
            changed = 0;
            foreach (var e in catalog.Entries.Values.OrderBy(e => e.CveId, StringComparer.Ordinal))
            {
                var dateAdded = e.DateAdded.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
                DateTime? due = e.DueDate?.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
                var first = now;
                if (existing.TryGetValue(e.CveId, out var old))
                {
                    first = old.FirstImportedAt;
                    if (old.DateAdded != dateAdded || old.DueDate != due || old.Ransomware != e.KnownRansomwareCampaignUse) changed++;
                }
                else added[e.CveId] = new DateTimeOffset(dateAdded);
                rows.Add([e.CveId.ToUpperInvariant(), dateAdded, due, e.KnownRansomwareCampaignUse, e.VendorProject, e.Product, e.VulnerabilityName, e.RequiredAction, first]);
            }
            removed = existing.Keys.Count(k => !catalog.Entries.ContainsKey(k));
            await store.ExecuteAsync("DELETE FROM \"KevListings\"", ct);
            await store.InsertAsync("KevListings",
                ["CveId", "DateAdded", "DueDate", "Ransomware", "VendorProject", "Product", "VulnerabilityName", "RequiredAction", "FirstImportedAt"], rows, ct);
            await RecordAsync(store, EnrichmentFeed.Kev, catalog.Format, catalog.CatalogVersion, dataDate, catalog.Entries.Count, added.Count, removed, changed,
                source, sha, now, options.ImportedBy, ct);
            await store.CommitAsync(ct);
        }

        var flagged = added.Count > 0 ? await _kevListed(added, ct) : 0;
        return baseSummary with { Added = added.Count, Removed = removed, Changed = changed, ReReviewFlagged = flagged, Warnings = warnings };
    }

    /// <returns>The summary, and the findings whose EPSS moved (to be scored again).</returns>
    private async Task<(EnrichmentSummary Summary, List<long> Rescore)> ImportEpssAsync(EpssSnapshot snapshot, string source, string sha, EnrichmentImportOptions options, DateTime now, CancellationToken ct)
    {
        var warnings = new List<string>();
        var date = snapshot.ScoreDate;
        if (date is null)
        {
            date = DateOnly.FromDateTime(now);
            warnings.Add($"the EPSS file names no score date; the import date {date:yyyy-MM-dd} was recorded as the scores' date");
        }
        var baseSummary = new EnrichmentSummary
        {
            Source = source, Feed = "epss", Format = snapshot.Format, Version = snapshot.ModelVersion, DataDate = date, Rows = snapshot.Count, Sha256 = sha, Warnings = warnings,
        };
        if (snapshot.Count == 0) throw new ReportFormatException(ReportErrorCode.Empty, "EPSS scores: no rows.");
        var timer = ImportTimings.Start();
        var scoreDate = date.Value.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

        int added, changed;
        List<long> rescore;
        await using (var store = await ImportStore.BeginAsync(connectionString, ct))
        {
            if (await DuplicateAsync(store, EnrichmentFeed.Epss, sha, ct)) return (baseSummary with { Duplicate = true }, []);
            // Which findings to score is decided before anything is written, against the file in memory (ADR 035).
            rescore = await MovedFindingsAsync(store, snapshot, scoreDate, ct);
            timer.Lap("epss: findings whose EPSS moves");
            rescore = [.. rescore.Union(await DecisionsChangedSinceScoredAsync(store, now, ct))];
            timer.Lap("epss: findings whose decision changed or expired");
            var rows = new EpssRows(snapshot, scoreDate);
            if (await store.ScalarAsync<long?>("SELECT 1 FROM \"EpssEntries\" LIMIT 1", ct) is null)
            {
                // The first EPSS file: every row is new, so it is copied straight into the table (the snapshot holds each CVE once).
                await store.InsertAsync("EpssEntries", EpssRows.Columns, rows, ct);
                timer.Lap("epss: copy");
                (added, changed) = (rows.Count, 0);
            }
            else if (store.Provider == DatabaseProvider.Sqlite)
            {
                (added, changed) = await UpsertSqliteAsync(store, rows, ct);
                timer.Lap("epss: upsert");
            }
            else
            {
                (added, changed) = await MergePostgresAsync(store, rows, timer, ct);
            }
            await RecordAsync(store, EnrichmentFeed.Epss, snapshot.Format, snapshot.ModelVersion, date, snapshot.Count, added, 0, changed, source, sha, now, options.ImportedBy, ct);
            await store.CommitAsync(ct);
            timer.Lap("epss: commit");
        }
        return (baseSummary with { Added = added, Changed = changed }, rescore);
    }

    /// <summary>
    /// The findings whose EPSS input moves with this file: those of an alias group holding a CVE of the file that is new, or
    /// whose score or percentile differs from the stored one while the file is not older than it (an older score never
    /// replaces a newer one; a newer date alone changes no score). Only the CVEs findings reference are read (about 28,000
    /// for a 30 MiB report, against 300,000 rows in the file) and compared with the file in memory, so no join over the
    /// whole file is needed.
    /// </summary>
    private static async Task<List<long>> MovedFindingsAsync(ImportStore store, EpssSnapshot snapshot, DateTime scoreDate, CancellationToken ct)
    {
        var stored = await store.QueryAsync(
            "SELECT v.\"GroupId\", v.\"VulnId\", e.\"Epss\", e.\"Percentile\", e.\"ScoreDate\" FROM \"Vulnerabilities\" v " +
            "LEFT JOIN \"EpssEntries\" e ON e.\"Cve\" = v.\"VulnId\" WHERE v.\"VulnId\" LIKE 'CVE-%'",
            r => (Group: r.GetInt64(0), Cve: r.GetString(1), Epss: r.IsDBNull(2) ? (double?)null : r.GetDouble(2), Percentile: r.IsDBNull(3) ? 0 : r.GetDouble(3),
                Date: r.IsDBNull(4) ? DateTime.MinValue : RiskInputLoader.Utc(r.GetDateTime(4))), ct);
        var groups = new HashSet<long>();
        foreach (var (group, cve, epss, percentile, date) in stored)
        {
            if (groups.Contains(group) || snapshot.Find(cve) is not { } s) continue;
            // Rows are stored under the file's spelling upper-cased: an id spelled otherwise in Vulnerabilities matches none.
            if (!string.Equals(s.Cve.ToUpperInvariant(), cve, StringComparison.Ordinal)) continue;
            if (epss is null || (scoreDate >= date && (s.Epss != epss.Value || s.Percentile != percentile))) groups.Add(group);
        }
        return groups.Count == 0 ? [] : await store.QueryByKeysAsync("SELECT \"Id\" FROM \"Findings\" WHERE \"GroupId\" IN ({keys})", groups, r => r.GetInt64(0), ct);
    }

    /// <summary>
    /// Findings whose decision in force changed since their score was stored (the VEX store rewrote its row), expired since
    /// (the clock alone moved it), or that are scored as excluded while no decision is in force any more. Nothing else
    /// rescores them, and before scoped rescoring the daily EPSS import's full rescore did (ADR 035).
    /// </summary>
    private static Task<List<long>> DecisionsChangedSinceScoredAsync(ImportStore store, DateTime now, CancellationToken ct) => store.QueryAsync(
        "SELECT r.\"FindingId\" FROM \"FindingRisks\" r JOIN \"EffectiveDecisions\" d ON d.\"FindingId\" = r.\"FindingId\" " +
        "WHERE d.\"ComputedAt\" > r.\"ComputedAt\" OR (d.\"ExpiresAt\" > r.\"ComputedAt\" AND d.\"ExpiresAt\" <= @p0) " +
        "UNION SELECT r.\"FindingId\" FROM \"FindingRisks\" r WHERE r.\"Excluded\" AND NOT EXISTS (SELECT 1 FROM \"EffectiveDecisions\" d " +
        "WHERE d.\"FindingId\" = r.\"FindingId\" AND (d.\"ExpiresAt\" IS NULL OR d.\"ExpiresAt\" > @p0))",
        r => r.GetInt64(0), ct, now);

    /// <summary>
    /// SQLite: one upsert per row through the prepared C-API path, which rewrites a row only when the file is not older and
    /// a value differs. The counts come from the table's size and the connection's change counter.
    /// </summary>
    private static async Task<(int Added, int Changed)> UpsertSqliteAsync(ImportStore store, EpssRows rows, CancellationToken ct)
    {
        var before = await store.ScalarAsync<long>("SELECT COUNT(*) FROM \"EpssEntries\"", ct);
        var changesBefore = await store.ScalarAsync<long>("SELECT total_changes()", ct);
        await store.ExecuteForEachAsync(
            "INSERT INTO \"EpssEntries\" (\"Cve\", \"Epss\", \"Percentile\", \"ScoreDate\") VALUES (@p0, @p1, @p2, @p3) ON CONFLICT (\"Cve\") DO UPDATE " +
            "SET \"Epss\" = excluded.\"Epss\", \"Percentile\" = excluded.\"Percentile\", \"ScoreDate\" = excluded.\"ScoreDate\" " +
            "WHERE excluded.\"ScoreDate\" >= \"EpssEntries\".\"ScoreDate\" AND (excluded.\"Epss\" <> \"EpssEntries\".\"Epss\" " +
            "OR excluded.\"Percentile\" <> \"EpssEntries\".\"Percentile\" OR excluded.\"ScoreDate\" <> \"EpssEntries\".\"ScoreDate\")",
            4, rows, ct);
        var added = (int)(await store.ScalarAsync<long>("SELECT COUNT(*) FROM \"EpssEntries\"", ct) - before);
        var changes = await store.ScalarAsync<long>("SELECT total_changes()", ct) - changesBefore;
        return (added, (int)changes - added);
    }

    /// <summary>
    /// PostgreSQL: binary COPY into a temporary table, then one MERGE that updates the rows whose values differ (the file not
    /// older) and inserts the new CVEs, so the file is joined to the table once. The temporary table has no key (building it
    /// cost more than the COPY; the join hashes it whole anyway) and no statistics: the planner sizes it from its pages and
    /// hashes the table (ANALYZE cost 0.2–0.4 s and changed no plan). The new rows are counted by the transaction's own
    /// statistics (two COUNT(*) over a table just rewritten cost 0.3–0.4 s).
    /// </summary>
    private static async Task<(int Added, int Changed)> MergePostgresAsync(ImportStore store, EpssRows rows, ImportTimings timer, CancellationToken ct)
    {
        // 300,000 rows hash in about 30 MB: with the default 4 MB the join spills to disk in batches.
        await store.ExecuteAsync("SET LOCAL work_mem = '64MB'", ct);
        await store.ExecuteAsync("CREATE TEMP TABLE \"EpssLoad\" (\"Cve\" text NOT NULL, \"Epss\" double precision NOT NULL, " +
                                 "\"Percentile\" double precision NOT NULL, \"ScoreDate\" timestamp with time zone NOT NULL) ON COMMIT DROP", ct);
        await store.InsertAsync("EpssLoad", EpssRows.Columns, rows, ct);
        timer.Lap("epss: copy into temp");
        var before = await InsertedSoFarAsync(store, ct);
        var merged = await store.ExecuteAsync(
            "MERGE INTO \"EpssEntries\" e USING \"EpssLoad\" l ON e.\"Cve\" = l.\"Cve\" " +
            "WHEN MATCHED AND l.\"ScoreDate\" >= e.\"ScoreDate\" AND (l.\"Epss\" <> e.\"Epss\" OR l.\"Percentile\" <> e.\"Percentile\" OR l.\"ScoreDate\" <> e.\"ScoreDate\") " +
            "THEN UPDATE SET \"Epss\" = l.\"Epss\", \"Percentile\" = l.\"Percentile\", \"ScoreDate\" = l.\"ScoreDate\" " +
            "WHEN NOT MATCHED THEN INSERT (\"Cve\", \"Epss\", \"Percentile\", \"ScoreDate\") VALUES (l.\"Cve\", l.\"Epss\", l.\"Percentile\", l.\"ScoreDate\")", ct);
        var added = (int)(await InsertedSoFarAsync(store, ct) - before);
        timer.Lap("epss: merge");
        return (added, merged - added);
    }

    /// <summary>Rows this transaction inserted into EpssEntries so far (pg_stat_xact_user_tables, exact within the
    /// transaction), or the table's size when the server does not count (track_counts off).</summary>
    private static async Task<long> InsertedSoFarAsync(ImportStore store, CancellationToken ct) =>
        await store.ScalarAsync<long>(
            "SELECT CASE WHEN current_setting('track_counts')::boolean " +
            "THEN (SELECT n_tup_ins FROM pg_stat_xact_user_tables WHERE relid = '\"EpssEntries\"'::regclass) " +
            "ELSE (SELECT COUNT(*) FROM \"EpssEntries\") END", ct);

    /// <summary>The file's rows for a bulk write, each made when the writer reads it: 300,000 boxed rows held at once cost
    /// about 50 MB besides the snapshot.</summary>
    private sealed class EpssRows(EpssSnapshot snapshot, DateTime scoreDate) : IReadOnlyList<object?[]>
    {
        public static readonly string[] Columns = ["Cve", "Epss", "Percentile", "ScoreDate"];
        private EpssScore[]? _all;

        public int Count => snapshot.Count;

        // Not read by the bulk paths (they enumerate); kept correct for any other caller.
        public object?[] this[int index] => Row((_all ??= [.. snapshot.All])[index]);

        public IEnumerator<object?[]> GetEnumerator()
        {
            foreach (var s in snapshot.All) yield return Row(s);
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        private object?[] Row(EpssScore s) => [s.Cve.ToUpperInvariant(), s.Epss, s.Percentile, scoreDate];
    }

    private static async Task<bool> DuplicateAsync(ImportStore store, EnrichmentFeed feed, string sha, CancellationToken ct) =>
        await store.ScalarAsync<long?>("SELECT \"Id\" FROM \"EnrichmentImports\" WHERE \"Feed\" = @p0 AND \"Sha256\" = @p1 LIMIT 1", ct, (int)feed, sha) is not null;

    private static async Task RecordAsync(ImportStore store, EnrichmentFeed feed, string format, string? version, DateOnly? dataDate, int rows, int added, int removed,
        int changed, string source, string sha, DateTime now, string? importedBy, CancellationToken ct)
    {
        var id = (await store.AllocateIdsAsync("EnrichmentImports", 1, ct))[0];
        await store.InsertAsync("EnrichmentImports",
            ["Id", "Feed", "Format", "Version", "DataDate", "Rows", "Added", "Removed", "Changed", "Source", "Sha256", "ImportedAt", "ImportedBy"],
            [[id, feed, format, version, dataDate?.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), rows, added, removed, changed, source, sha, now, importedBy]], ct);
    }

    private static async Task<byte[]> ReadAllAsync(Stream content, long max, CancellationToken ct)
    {
        using var ms = new MemoryStream();
        var buffer = new byte[81920];
        int n;
        while ((n = await content.ReadAsync(buffer, ct)) > 0)
        {
            if (ms.Length + n > max) throw new ReportFormatException(ReportErrorCode.TooLarge, $"the file is larger than the limit of {CaptureStream.FormatBytes(max)}");
            ms.Write(buffer, 0, n);
        }
        return ms.ToArray();
    }

    private static DateTime Truncate(DateTime t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
}

/// <summary>The enrichment summary as JSON, shared by the CLI and the API.</summary>
public static class EnrichmentJson
{
    public static void Write(Utf8JsonWriter w, EnrichmentSummary s)
    {
        w.WriteStartObject();
        w.WriteString("source", s.Source);
        w.WriteString("feed", s.Feed);
        w.WriteString("format", s.Format);
        w.WriteString("version", s.Version);
        if (s.DataDate is { } d) w.WriteString("dataDate", d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        else w.WriteNull("dataDate");
        w.WriteNumber("rows", s.Rows);
        w.WriteNumber("added", s.Added);
        w.WriteNumber("removed", s.Removed);
        w.WriteNumber("changed", s.Changed);
        w.WriteBoolean("duplicate", s.Duplicate);
        w.WriteString("sha256", s.Sha256);
        w.WriteNumber("reReviewFlagged", s.ReReviewFlagged);
        RuntimeJson.WriteRefresh(w, s.Refresh);
        w.WriteStartArray("warnings");
        foreach (var warning in s.Warnings) w.WriteStringValue(warning);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static string Describe(EnrichmentSummary s)
    {
        var what = s.Feed == "kev" ? "CISA KEV" : "EPSS";
        if (s.Duplicate) return $"{s.Source}: {what} already imported (same bytes, sha256 {s.Sha256[..12]}…); nothing changed";
        var date = s.DataDate is { } d ? d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) : "undated";
        var version = s.Version is null ? "" : $" {s.Version}";
        var review = s.ReReviewFlagged > 0 ? $"; {s.ReReviewFlagged} decisions flagged for re-review (entered KEV)" : "";
        return $"{s.Source}: {what}{version} ({s.Format}, {date}): {s.Rows:N0} rows, {s.Added:N0} new, {s.Changed:N0} changed, {s.Removed:N0} removed{review}; " +
               $"{s.Refresh.FindingsScored:N0} findings scored";
    }
}
