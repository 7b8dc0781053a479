using System.Data.Common;
using Triage.Core.Domain;
using Triage.Core.Identity;
using Triage.Core.Ingest;

namespace Triage.Data.Import;

/// <summary>
/// Imports one scanner report: reads it once (hash, gzip copy, streaming parse), plans identities in memory, then
/// writes everything in one transaction with bulk inserts. It lands whole or not at all; the same bytes twice are
/// a duplicate that changes nothing. Work per import is proportional to the import, not to the database: every
/// lookup is by key or by the artifact being imported.
/// </summary>
/// <param name="connectionString">The database.</param>
/// <param name="risk">When given, the imported images' verdicts and scores are computed inside the import's own transaction
/// whenever no VEX decision exists yet (decisions take effect after the commit, so scores wait for them otherwise):
/// nothing is read back and nothing committed twice. <see cref="Runtime.FindingRiskService.AfterImportAsync"/> then has
/// nothing left to do for this import.</param>
public sealed class ReportImporter(string connectionString, Runtime.FindingRiskService? risk = null)
{
    private readonly string _connectionString = connectionString;
    private readonly Runtime.FindingRiskService? _risk = risk;

    /// <summary>Parses and stores a report. Throws <see cref="ReportFormatException"/> for bad input (nothing stored).</summary>
    public async Task<ImportSummary> ImportAsync(Stream content, string fileName, ImportOptions options, CancellationToken ct = default)
    {
        var timer = ImportTimings.Start();
        // The database is created or checked on the second core while the report is parsed (a brand-new SQLite file gets
        // its whole schema here). Bad input still fails before anything of the report is stored.
        var migrated = Task.Run(() => TriageDatabase.EnsureMigratedForBulkLoadAsync(_connectionString, ct), ct);
        PreparedReport prepared;
        try
        {
            prepared = await PrepareAsync(content, fileName, options, ct);
        }
        catch
        {
            try { await migrated; } catch (Exception) { /* the parse error is the one to report */ }
            throw;
        }
        var summary = await StoreAsync(prepared, migrated, ct);
        timer.Lap("store");
        return summary;
    }

    /// <summary>The half of an import that needs no database: reads the report once (hash, gzip copy, streaming parse)
    /// and plans its identities in memory. Safe to run on another thread while an earlier report is stored
    /// (<see cref="ImportManyAsync"/>). Throws <see cref="ReportFormatException"/> for bad input.</summary>
    public static async Task<PreparedReport> PrepareAsync(Stream content, string fileName, ImportOptions options, CancellationToken ct = default)
    {
        var timer = ImportTimings.Start();
        using var capture = new CaptureStream(content, options.MaxBytes);
        var parsed = await ScanReportReader.Default.ParseAsync(capture, options.Scanner, ParseOptions.Default, ct);
        await capture.DrainAsync(ct);
        timer.Lap("parse");
        // The identity plan and the vulnerability records' evidence columns read disjoint parts of the parsed report
        // (observations and packages; vulnerability records): they are built side by side on the two cores.
        var planning = Task.Run(() =>
        {
            var built = ImportPlan.Build(parsed, options.Image, fileName);
            built.CheckKeyLengths();
            return built;
        }, ct);
        var columns = VulnerabilityColumns.Of(parsed);
        var plan = await planning;
        timer.Lap("plan+columns");
        var prepared = new PreparedReport(plan, fileName, capture.Sha256Hex, capture.CompressedBytes, capture.BytesRead, options) { Columns = columns };
        timer.Lap("hash+gzip");
        return prepared;
    }

    /// <summary>Stores a report that <see cref="PrepareAsync"/> read: one transaction, whole or not at all.</summary>
    public Task<ImportSummary> StoreAsync(PreparedReport prepared, CancellationToken ct = default) => StoreAsync(prepared, migrated: null, ct);

    private Task<ImportSummary> StoreAsync(PreparedReport p, Task<bool>? migrated, CancellationToken ct) =>
        StoreAsync(p.Plan, p.FileName, p.Sha256, p.Compressed, p.Size, p.Options, migrated, ct, p.Columns);

    /// <summary>
    /// Imports several reports in order, each whole or not at all, reading and planning the next report on another thread
    /// while the current one is stored: the database work stays on one connection, one report at a time, and the parse,
    /// which needs no database, leaves the critical path. A next report longer than <paramref name="prefetchBytes"/> is read
    /// after the current one is stored, not beside it, so at most one large report is in memory at a time.
    /// <para>Group commit (ADR 097, SQLite; PostgreSQL commits each report unless a window is given): reports stored within
    /// <paramref name="groupWindow"/> of each other share one transaction,
    /// each behind its own savepoint, so a report that fails leaves the others whole and a commit's fixed cost (the log
    /// writes of the pages every import touches, the checkpoint) is paid once per group, not once per report. A report that
    /// takes longer than the window (a large one) is committed alone, as before. <paramref name="onResult"/> sees every
    /// report in order with its summary or the error that stopped it (<see cref="ReportFormatException"/>, an I/O error
    /// opening it, ...), and only after its group committed: a summary it sees has landed. An error of the database itself
    /// ends the run, and the reports of the group it interrupted did not land and are not reported; an error of
    /// <paramref name="onResult"/> ends the run after the rest of its group (which landed) has been reported.</para>
    /// </summary>
    public async Task ImportManyAsync(IEnumerable<ReportSource> reports, ImportOptions options,
        Func<ReportSource, ImportSummary?, Exception?, Task> onResult, long prefetchBytes = 16 << 20, TimeSpan? groupWindow = null,
        CancellationToken ct = default)
    {
        // PostgreSQL commits each report: there a commit costs little, and the savepoints a group needs (subtransactions)
        // made a run of imports slower, not faster (ADR 097).
        var window = groupWindow ??
                     (TriageDatabase.DetectProvider(TriageDatabase.Normalize(_connectionString)) == DatabaseProvider.Sqlite ? DefaultGroupWindow : TimeSpan.Zero);
        // Without a window every report is its own transaction: no savepoint is needed to undo one alone.
        var savepoints = window > TimeSpan.Zero;
        using var sources = reports.GetEnumerator();
        if (!sources.MoveNext()) return;
        var current = sources.Current;
        // The first report is read while the database is created or checked (a brand-new SQLite file gets its schema).
        var next = Task.Run(() => PrepareSourceAsync(current, options, ct), ct);
        var freshFile = await TriageDatabase.EnsureMigratedForBulkLoadAsync(_connectionString, ct);
        var group = new List<(ReportSource Source, StoredReport? Stored, Exception? Error)>();
        ImportStore? store = null;
        var groupClock = new System.Diagnostics.Stopwatch();
        try
        {
            while (true)
            {
                PreparedReport? prepared = null;
                Exception? error = null;
                try
                {
                    prepared = await next;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    error = e;
                }
                var ahead = sources.MoveNext() ? sources.Current : null;
                var readAfter = ahead is not null && prepared is not null && ahead.Length > prefetchBytes;
                if (ahead is not null && !readAfter) next = Task.Run(() => PrepareSourceAsync(ahead, options, ct), ct);
                StoredReport? stored = null;
                if (prepared is not null)
                {
                    if (store is null)
                    {
                        store = await ImportStore.BeginAsync(_connectionString, ct);
                        groupClock.Restart();
                    }
                    if (savepoints) await store.ExecuteAsync("SAVEPOINT import_report", ct);
                    try
                    {
                        stored = await StoreWithinAsync(store, prepared.Plan, prepared.FileName, prepared.Sha256, prepared.Compressed, prepared.Size,
                            prepared.Options, ct, prepared.Columns);
                        if (savepoints) await store.ExecuteAsync("RELEASE SAVEPOINT import_report", ct);
                    }
                    catch (Exception e) when (e is ReportFormatException or ArgumentException)
                    {
                        if (savepoints)
                        {
                            await store.ExecuteAsync("ROLLBACK TO SAVEPOINT import_report", ct);
                            await store.ExecuteAsync("RELEASE SAVEPOINT import_report", ct);
                            store.ForgetIdentities();
                        }
                        else
                        {
                            // The transaction held this report alone: it rolls back whole.
                            await store.DisposeAsync();
                            store = null;
                        }
                        error = e;
                    }
                }
                group.Add((current, stored, error));
                // The group ends with the last report, before a large report is read, when its window has passed, or when
                // nothing is waiting to commit (the reports in it all failed before storing).
                if (ahead is null || readAfter || store is null || groupClock.Elapsed >= window)
                {
                    if (store is not null)
                    {
                        var timer = ImportTimings.Start();
                        await store.CommitAsync(ct);
                        await store.DisposeAsync();
                        store = null;
                        timer.Lap($"commit of {group.Count} report(s)");
                        await AfterCommitAsync(freshFile, group.Where(g => g.Stored is not null).Select(g => g.Stored!), ct);
                        freshFile = false;
                    }
                    Exception? callbackError = null;
                    foreach (var (source, s, e) in group)
                    {
                        try
                        {
                            await onResult(source, s?.Summary, e);
                        }
                        catch (Exception ce)
                        {
                            // The rest of the group landed too: it is still reported, then the first error ends the run.
                            callbackError ??= ce;
                        }
                    }
                    group.Clear();
                    if (callbackError is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(callbackError);
                }
                if (ahead is null) return;
                if (readAfter) next = PrepareSourceAsync(ahead, options, ct);
                current = ahead;
            }
        }
        finally
        {
            // An error of the database (or a cancellation) leaves the open group uncommitted: it rolls back whole.
            if (store is not null) await store.DisposeAsync();
        }
    }

    /// <summary>How long reports keep joining one transaction in <see cref="ImportManyAsync"/>: long enough that a run of
    /// small reports shares its commits, short enough that a result waits at most this long to be reported. A commit's cost
    /// is mostly the index pages its new findings dirtied, scattered over the file; a longer group dirties many of the same
    /// pages again, so its pages per finding fall: the dedup run took 166–170 s with 250 ms, 140–141 s with 1 s, 126–132 s
    /// with 2 s and 142 s with 4 s (ADR 097, docs/benchmarks.md).</summary>
    public static readonly TimeSpan DefaultGroupWindow = TimeSpan.FromSeconds(2);

    private static async Task<PreparedReport> PrepareSourceAsync(ReportSource source, ImportOptions options, CancellationToken ct)
    {
        await using var stream = source.Open();
        return await PrepareAsync(stream, source.FileName, options, ct);
    }

    /// <summary>Imports a report that was read whole earlier: <paramref name="gzip"/> holds its bytes as
    /// <see cref="CaptureStream"/> compressed them, <paramref name="sha256"/> and <paramref name="size"/> describe the
    /// uncompressed bytes (the durable import queue keeps uploads this way, docs/decisions/070-scale-out-and-queue.md).
    /// The stored raw report is these same gzip bytes: nothing is hashed or compressed twice.</summary>
    public async Task<ImportSummary> ImportCapturedAsync(byte[] gzip, string sha256, long size, string fileName, ImportOptions options,
        CancellationToken ct = default)
    {
        var timer = ImportTimings.Start();
        ParsedReport parsed;
        await using (var raw = new System.IO.Compression.GZipStream(new MemoryStream(gzip, writable: false), System.IO.Compression.CompressionMode.Decompress))
            parsed = await ScanReportReader.Default.ParseAsync(raw, options.Scanner, ParseOptions.Default, ct);
        timer.Lap("parse");
        var plan = ImportPlan.Build(parsed, options.Image, fileName);
        plan.CheckKeyLengths();
        timer.Lap("plan");
        var summary = await StoreAsync(plan, fileName, sha256, gzip, size, options, ct);
        timer.Lap("store");
        return summary;
    }

    /// <summary>Stores an already parsed and planned report (also used by runtime inventories that carry scan results).</summary>
    public Task<ImportSummary> StoreAsync(ImportPlan plan, string fileName, string sha256, byte[] compressed, long size,
        ImportOptions options, CancellationToken ct = default) =>
        StoreAsync(plan, fileName, sha256, compressed, size, options, migrated: null, ct);

    /// <param name="migrated">The database check started earlier (<see cref="TriageDatabase.EnsureMigratedForBulkLoadAsync"/>), if any.</param>
    private async Task<ImportSummary> StoreAsync(ImportPlan plan, string fileName, string sha256, byte[] compressed, long size,
        ImportOptions options, Task<bool>? migrated, CancellationToken ct, IReadOnlyDictionary<ParsedVulnerability, VulnerabilityColumns>? columns = null)
    {
        var timer = ImportTimings.Start();
        var freshFile = await (migrated ?? TriageDatabase.EnsureMigratedForBulkLoadAsync(_connectionString, ct));
        timer.Lap("migrate-check");
        await using var store = await ImportStore.BeginAsync(_connectionString, ct);
        var stored = await StoreWithinAsync(store, plan, fileName, sha256, compressed, size, options, ct, columns);
        await store.CommitAsync(ct);
        await store.DisposeAsync();
        timer.Lap("commit");
        await AfterCommitAsync(freshFile, [stored], ct);
        return stored.Summary;
    }

    /// <summary>What a stored report leaves to do once its transaction committed.</summary>
    /// <param name="VersionBound">Decisions bound to a package version exist (re-review, ADR 024).</param>
    /// <param name="AnyDecision">Some decision exists: effective decisions are recomputed for the imported images (ADR 025).</param>
    private sealed record StoredReport(ImportSummary Summary, IReadOnlyList<long> ArtifactIds, bool VersionBound, bool AnyDecision);

    /// <summary>Runs after the commit of one or more stored reports, in their order: the SQLite log, re-review flags and
    /// effective decisions, each on its own connection.</summary>
    private async Task AfterCommitAsync(bool freshFile, IEnumerable<StoredReport> stored, CancellationToken ct)
    {
        var timer = ImportTimings.Start();
        if (freshFile) await TriageDatabase.EnableWalAsync(_connectionString, ct);
        else SqliteCheckpointer.Request(_connectionString);
        timer.Lap("log mode or checkpoint request");
        foreach (var report in stored)
        {
            if (report.VersionBound)
            {
                await new Vex.DecisionService(_connectionString).FlagPackageVersionChangesAsync(report.ArtifactIds, ct);
                timer.Lap("re-review");
            }
            // Effective-decision hook (ADR 025): repository, team and global decisions reach the new digests; merged alias groups
            // carry decisions to findings elsewhere.
            if (report.AnyDecision)
            {
                await Vex.EffectiveDecisions.RecomputeAfterImportAsync(_connectionString, report.ArtifactIds, ct);
                timer.Lap("effective-decisions");
            }
        }
    }

    /// <summary>Stores one report inside <paramref name="store"/>'s transaction (the caller commits).</summary>
    /// <param name="columns">The vulnerability records' evidence columns, when computed ahead (<see cref="PrepareAsync"/>).</param>
    private async Task<StoredReport> StoreWithinAsync(ImportStore store, ImportPlan plan, string fileName, string sha256, byte[] compressed, long size,
        ImportOptions options, CancellationToken ct, IReadOnlyDictionary<ParsedVulnerability, VulnerabilityColumns>? columns = null)
    {
        var timer = ImportTimings.Start();
        var scanner = plan.Report.Scanner.ToWire();
        var now = Truncate(DateTime.UtcNow);
        // Checked against the file before this transaction writes anything (its own writes are the cache's to follow).
        store.UseIdentityCache();

        var previous = await store.ScalarAsync<long?>("SELECT \"Id\" FROM \"RawReports\" WHERE \"Sha256\" = @p0", ct, sha256);
        if (previous is not null)
            return new StoredReport(await DuplicateSummaryAsync(store, previous.Value, fileName, scanner, plan, sha256, ct), [], false, false);

        var rawId = (await store.AllocateIdsAsync("RawReports", 1, ct))[0];
        await store.InsertAsync("RawReports", ["Id", "Sha256", "FileName", "Scanner", "SizeBytes", "ContentEncoding", "Content", "ImportedAt"],
            [[rawId, sha256, Path.GetFileName(fileName), scanner, size, "gzip", compressed, now]], ct);

        timer.Lap("begin+raw");
        var regrouped = new HashSet<long>();
        var canonicalOf = new Dictionary<long, string>();
        var newGroupCvss = new Dictionary<long, (double? Modern, double? Any)>();
        var vulns = await ResolveVulnerabilitiesAsync(store, plan, now, regrouped, canonicalOf, newGroupCvss, columns, ct);
        // Stored keys and rollups of findings elsewhere whose alias group merged or was renamed (ADR 090).
        await Rollups.FindingKeys.RefreshGroupsAsync(store, regrouped, ct);
        timer.Lap("vulnerabilities");
        var packageIds = await ResolvePackagesAsync(store, plan, ct);
        timer.Lap("packages");

        var artifacts = new List<ImportedArtifact>();
        foreach (var ap in plan.Artifacts)
            artifacts.Add(await StoreArtifactAsync(store, plan, ap, rawId, vulns, canonicalOf, packageIds, options, now, ct));

        timer.Lap("artifacts+findings");
        // Re-review hook (ADR 024): decisions bound to a package version are flagged when these images bring another one.
        // A plain query first, so an import into a database without such decisions never builds the EF model.
        var versionBound = await store.ScalarAsync<long?>(Vex.DecisionService.VersionBoundProbeSql, ct) is not null;
        if (options.BeforeCommit is { } beforeCommit) await beforeCommit(ct);
        var anyDecision = versionBound || await store.ScalarAsync<long?>(Vex.EffectiveDecisions.AnyDecisionProbeSql, ct) is not null;
        var scored = false;
        if (_risk is not null && !anyDecision)
        {
            // Behind a savepoint: scoring that fails leaves the import whole, and the refresh after the commit tries again.
            await store.ExecuteAsync("SAVEPOINT import_scores", ct);
            try
            {
                await _risk.ScoreWithinImportAsync(store, artifacts.Select(a => a.ArtifactId).Distinct().ToList(), newGroupCvss, ct);
                await store.ExecuteAsync("RELEASE SAVEPOINT import_scores", ct);
                scored = true;
            }
            catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or ArgumentException)
            {
                // If the database itself failed (a restart, a lost connection), the rollback fails too: the import then fails
                // with the original error, which callers classify (a transient fault is retried, ADR 070).
                try
                {
                    await store.ExecuteAsync("ROLLBACK TO SAVEPOINT import_scores", ct);
                }
                catch (Exception)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e);
                }
            }
            timer.Lap("risk (same transaction)");
        }
        var first = artifacts.FirstOrDefault();
        var summary = new ImportSummary
        {
            File = fileName,
            Scanner = scanner,
            ScannerVersion = plan.Report.ScannerVersion,
            Image = first?.Image,
            Digest = first?.Digest,
            Observations = artifacts.Sum(a => a.Observations),
            Findings = artifacts.Sum(a => a.Findings),
            NewFindings = artifacts.Sum(a => a.NewFindings),
            Duplicate = false,
            Sha256 = sha256,
            Artifacts = artifacts,
            Skipped = plan.Report.Skipped,
            Warnings = [.. plan.Report.Warnings, .. plan.Warnings],
            RiskScored = scored,
        };
        timer.Lap("stored");
        return new StoredReport(summary, artifacts.Select(a => a.ArtifactId).ToList(), versionBound, anyDecision);
    }

    private static async Task<ImportSummary> DuplicateSummaryAsync(ImportStore store, long rawId, string fileName, string scanner,
        ImportPlan plan, string sha256, CancellationToken ct)
    {
        var scans = await store.QueryAsync(
            "SELECT s.\"Id\", s.\"ArtifactId\", s.\"ObservationCount\", s.\"FindingCount\", r.\"Name\", a.\"Digest\", a.\"Tags\" " +
            "FROM \"Scans\" s JOIN \"Artifacts\" a ON a.\"Id\" = s.\"ArtifactId\" JOIN \"Repositories\" r ON r.\"Id\" = a.\"RepositoryId\" " +
            "WHERE s.\"RawReportId\" = @p0 ORDER BY s.\"Id\"",
            r =>
            {
                var tags = Configuration.StringListJsonConverter.Deserialize(store.Str(r, 6));
                var repo = store.Str(r, 4);
                var digest = r.IsDBNull(5) ? null : store.Str(r, 5);
                var image = tags.Count > 0 ? $"{repo}:{tags[0]}" : digest is not null ? $"{repo}@{digest}" : repo;
                return new ImportedArtifact(image, repo, digest, r.GetInt64(1), r.GetInt64(0), r.GetInt32(2), r.GetInt32(3), 0);
            }, ct, rawId);
        var first = scans.FirstOrDefault();
        return new ImportSummary
        {
            File = fileName,
            Scanner = scanner,
            ScannerVersion = plan.Report.ScannerVersion,
            Image = first?.Image,
            Digest = first?.Digest,
            Observations = scans.Sum(s => s.Observations),
            Findings = scans.Sum(s => s.Findings),
            NewFindings = 0,
            Duplicate = true,
            Sha256 = sha256,
            Artifacts = scans,
        };
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Vulnerability ids and alias groups

    private sealed class GroupNode
    {
        public long Id;            // > 0: existing group; < 0: created by this import
        public GroupNode? Parent;
        public string? Cve;        // the group's CVE, if any (never two)
        public HashSet<string> NewMembers { get; } = new(StringComparer.Ordinal);
        public string? ExistingCanonical;
        public bool AbsorbedExisting;
        /// <summary>Created by this import (all its records are new rows).</summary>
        public bool Created;

        public GroupNode Root()
        {
            var n = this;
            while (n.Parent is not null) n = n.Parent;
            return n;
        }
    }

    /// <summary>Id → final group id, for every id the report needs.</summary>
    /// <param name="regrouped">Receives the existing groups that absorbed another or took a new canonical id.</param>
    /// <param name="canonicalOf">Receives the canonical id, after this import, of every group the report's ids are in.</param>
    /// <param name="newGroupCvss">Receives the highest CVSS scores of every alias group this import created: all their records
    /// are rows it wrote, so scoring in the same transaction needs not read them back.</param>
    private async Task<Dictionary<string, long>> ResolveVulnerabilitiesAsync(ImportStore store, ImportPlan plan, DateTime now, HashSet<long> regrouped,
        Dictionary<long, string> canonicalOf, Dictionary<long, (double? Modern, double? Any)> newGroupCvss,
        IReadOnlyDictionary<ParsedVulnerability, VulnerabilityColumns>? columns, CancellationToken ct)
    {
        var ids = plan.VulnerabilityIds();
        var cache = IdentityCacheFor(store, plan);
        Dictionary<string, ParsedVulnerability>? byNormalized = null;
        const string lookup =
            "SELECT \"VulnId\", \"Id\", \"GroupId\", CASE WHEN \"Description\" IS NULL THEN 1 ELSE 0 END, CASE WHEN \"Title\" IS NULL THEN 1 ELSE 0 END, " +
            "\"CvssJson\", \"SeverityBySourceJson\", \"References\", \"Cwes\" FROM \"Vulnerabilities\" WHERE \"VulnId\" IN ({keys})";
        // Every scanner's descriptive evidence is kept on the record (ADR 003): a title or description that earlier imports
        // lacked, CVSS and severity sources they did not give (Trivy's Red Hat score beside Grype's NVD one), references and
        // CWEs they did not list. What a source said first stays; nothing is written when the report adds nothing. Each
        // record's merge is worked out as it is read, so a large rescan does not hold every stored record's evidence text
        // at once (only the fills that change something are kept); they are written after the new records.
        var fills = new List<object?[]>();
        ExistingVulnerability Read(DbDataReader r)
        {
            var e = new ExistingVulnerability(store.Str(r, 0), r.GetInt64(1), r.GetInt64(2), r.GetInt32(3) == 1, r.GetInt32(4) == 1);
            if (FindByNormalizedId(plan.Report, e.VulnId, ref byNormalized) is not { } v) return e;
            var title = e.NoTitle ? v.Title : null;
            var description = e.NoDescription ? v.Description : null;
            var cvss = VulnerabilityEvidence.MergeCvss(r.IsDBNull(5) ? null : store.Str(r, 5), v.Cvss);
            var severities = VulnerabilityEvidence.MergeSeverities(r.IsDBNull(6) ? null : store.Str(r, 6), v.SeverityBySource);
            var references = VulnerabilityEvidence.MergeList(r.IsDBNull(7) ? null : store.Str(r, 7), v.References);
            var cwes = VulnerabilityEvidence.MergeList(r.IsDBNull(8) ? null : store.Str(r, 8), v.Cwes);
            if (title is not null || description is not null || cvss is not null || severities is not null || references is not null || cwes is not null)
                fills.Add([title, description, cvss, severities, references, cwes, e.Id]);
            return e;
        }
        List<ExistingVulnerability> existing;
        if (cache is null) existing = await store.QueryByKeysAsync(lookup, ids, Read, ct);
        else
        {
            // Records this connection knows, whose report evidence was merged into them already, need not be read back.
            var unknown = new List<string>();
            var settled = new List<ExistingVulnerability>();
            foreach (var id in ids)
            {
                if (cache.TryGetVulnerability(id, out var known)
                    && (FindByNormalizedId(plan.Report, id, ref byNormalized) is not { } reported || known.Merged(EvidenceOf(reported, columns))))
                    settled.Add(new ExistingVulnerability(id, known.Id, known.GroupId, known.NoDescription, known.NoTitle));
                else unknown.Add(id);
            }
            existing = await store.QueryByKeysAsync(lookup, unknown, Read, ct);
            existing.AddRange(settled);
        }

        var groups = new Dictionary<long, GroupNode>();
        if (existing.Count > 0)
        {
            var groupIds = existing.Select(e => e.GroupId).Distinct().ToList();
            var unknownGroups = new List<long>(groupIds.Count);
            foreach (var g in groupIds)
            {
                if (cache is not null && cache.TryGetCanonical(g, out var canonical))
                    groups[g] = new GroupNode { Id = g, ExistingCanonical = canonical, Cve = VulnerabilityIds.IsCve(canonical) ? canonical : null };
                else unknownGroups.Add(g);
            }
            var canon = await store.QueryByKeysAsync(
                "SELECT \"Id\", \"CanonicalId\" FROM \"AliasGroups\" WHERE \"Id\" IN ({keys})",
                unknownGroups, r => (Id: r.GetInt64(0), Canonical: store.Str(r, 1)), ct);
            foreach (var (id, canonical) in canon)
                groups[id] = new GroupNode { Id = id, ExistingCanonical = canonical, Cve = VulnerabilityIds.IsCve(canonical) ? canonical : null };
        }

        var nodeOf = new Dictionary<string, GroupNode>(StringComparer.Ordinal);
        foreach (var e in existing) nodeOf[e.VulnId] = groups[e.GroupId];
        long temp = 0;
        foreach (var id in ids)
        {
            if (nodeOf.ContainsKey(id)) continue;
            var node = new GroupNode { Id = --temp, Cve = VulnerabilityIds.IsCve(id) ? id : null };
            node.NewMembers.Add(id);
            nodeOf[id] = node;
        }

        // Union along alias relations, refusing any merge of two different CVEs.
        var applied = new List<(IdRelation Relation, bool Applied)>();
        var merges = new List<(long Survivor, long Loser)>();
        foreach (var rel in plan.Relations.OrderBy(r => r.FromId, StringComparer.Ordinal).ThenBy(r => r.ToId, StringComparer.Ordinal))
        {
            if (rel.Relation != AliasRelation.Alias) { applied.Add((rel, true)); continue; }
            var a = nodeOf[rel.FromId].Root();
            var b = nodeOf[rel.ToId].Root();
            if (ReferenceEquals(a, b)) { applied.Add((rel, true)); continue; }
            if (a.Cve is not null && b.Cve is not null && a.Cve != b.Cve) { applied.Add((rel, false)); continue; }
            // Existing groups survive new ones; between two existing groups the older survives.
            var (survivor, loser) = (a.Id, b.Id) switch
            {
                ( > 0, > 0) => a.Id < b.Id ? (a, b) : (b, a),
                ( > 0, _) => (a, b),
                (_, > 0) => (b, a),
                _ => a.Id > b.Id ? (a, b) : (b, a),
            };
            loser.Parent = survivor;
            survivor.Cve ??= loser.Cve;
            survivor.NewMembers.UnionWith(loser.NewMembers);
            if (survivor.Id > 0 && loser.Id > 0)
            {
                merges.Add((survivor.Id, loser.Id));
                survivor.AbsorbedExisting = true;
            }
            applied.Add((rel, true));
        }

        // Existing groups merged by this report: move members and findings (merging findings that collide).
        foreach (var (survivor, loser) in merges)
        {
            await MergeGroupsAsync(store, survivor, loser, ct);
            regrouped.Add(survivor);
        }

        // Create the new groups and give existing groups their (possibly new) canonical id.
        var roots = nodeOf.Values.Select(n => n.Root()).Distinct().ToList();
        var newRoots = roots.Where(r => r.Id < 0).ToList();
        var newGroupIds = await store.AllocateIdsAsync("AliasGroups", newRoots.Count, ct);
        var groupRows = new List<object?[]>(newRoots.Count);
        for (var i = 0; i < newRoots.Count; i++)
        {
            var root = newRoots[i];
            root.Id = newGroupIds[i];
            root.Created = true;
            var canonicalId = root.Cve ?? VulnerabilityIds.Canonical(root.NewMembers);
            canonicalOf[root.Id] = canonicalId;
            groupRows.Add([root.Id, canonicalId]);
        }
        await store.InsertAsync("AliasGroups", ["Id", "CanonicalId"], groupRows, ct);
        foreach (var root in roots.Where(r => r.ExistingCanonical is not null)) canonicalOf[root.Id] = root.ExistingCanonical!;
        foreach (var root in roots.Where(r => r.ExistingCanonical is not null && (r.NewMembers.Count > 0 || r.AbsorbedExisting)))
        {
            var members = await store.QueryAsync("SELECT \"VulnId\" FROM \"Vulnerabilities\" WHERE \"GroupId\" = @p0", r => store.Str(r, 0), ct, root.Id);
            var canonical = root.Cve ?? VulnerabilityIds.Canonical(members.Concat(root.NewMembers));
            if (canonical == root.ExistingCanonical) continue;
            canonicalOf[root.Id] = canonical;
            await store.ExecuteAsync("UPDATE \"AliasGroups\" SET \"CanonicalId\" = @p0 WHERE \"Id\" = @p1", ct, canonical, root.Id);
            regrouped.Add(root.Id);
        }

        // New vulnerability rows, with the report's descriptive data.
        var existingIds = existing.ToDictionary(e => e.VulnId, StringComparer.Ordinal);
        var newIds = ids.Where(id => !existingIds.ContainsKey(id)).OrderBy(id => id, StringComparer.Ordinal).ToList();
        var vulnIds = await store.AllocateIdsAsync("Vulnerabilities", newIds.Count, ct);
        var vulnRows = new List<object?[]>(newIds.Count);
        var learnt = new List<(string VulnId, SqliteIdentityCache.Vulnerability Entry)>();
        static double? Max(double? a, double? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);
        for (var i = 0; i < newIds.Count; i++)
        {
            var id = newIds[i];
            plan.Report.Vulnerabilities.TryGetValue(id, out var v);
            if (v is null && !plan.Report.Vulnerabilities.TryGetValue(id.ToUpperInvariant(), out v)) v = FindByNormalizedId(plan.Report, id, ref byNormalized);
            var root = nodeOf[id].Root();
            var evidence = v is null ? null : columns?.GetValueOrDefault(v) ?? VulnerabilityColumns.Of(v);
            vulnRows.Add(VulnerabilityRow(vulnIds[i], id, root.Id, v, evidence));
            if (cache is not null)
            {
                var entry = new SqliteIdentityCache.Vulnerability { Id = vulnIds[i], NoTitle = v?.Title is null, NoDescription = v?.Description is null };
                if (evidence is not null) entry.Remember(evidence.Evidence);
                learnt.Add((id, entry));
            }
            if (root.Created)
            {
                // The same fold the scorer makes over the group's stored records (Runtime.Cvss.MaxScores of each CvssJson).
                var known = newGroupCvss.GetValueOrDefault(root.Id);
                newGroupCvss[root.Id] = (Max(known.Modern, evidence?.ModernCvss), Max(known.Any, evidence?.AnyCvss));
            }
        }
        await store.InsertAsync("Vulnerabilities", VulnerabilityColumnNames, vulnRows, ct);

        // The merges worked out as the stored records were read (above).
        await store.ExecuteForEachAsync(
            "UPDATE \"Vulnerabilities\" SET \"Title\" = COALESCE(\"Title\", @p0), \"Description\" = COALESCE(\"Description\", @p1), " +
            "\"CvssJson\" = COALESCE(@p2, \"CvssJson\"), \"SeverityBySourceJson\" = COALESCE(@p3, \"SeverityBySourceJson\"), " +
            "\"References\" = COALESCE(@p4, \"References\"), \"Cwes\" = COALESCE(@p5, \"Cwes\") WHERE \"Id\" = @p6",
            7, fills, ct);

        // Record every relation with its source; the unique index keeps one row per (from, to, relation, source).
        // (An assertion this connection stored already would change nothing: the row stays as first written.)
        var relationRows = applied.Where(a => cache is null || !cache.Asserted(a.Relation))
            .Select(a => new object?[] { a.Relation.FromId, a.Relation.ToId, a.Relation.Relation, a.Relation.Source, a.Applied, now }).ToList();
        await store.ExecuteForEachAsync(
            "INSERT INTO \"AliasAssertions\" (\"FromId\", \"ToId\", \"Relation\", \"Source\", \"Applied\", \"CreatedAt\") VALUES (@p0, @p1, @p2, @p3, @p4, @p5) " +
            "ON CONFLICT (\"FromId\", \"ToId\", \"Relation\", \"Source\") DO NOTHING",
            6, relationRows, ct);

        if (cache is not null)
        {
            // Merged or renamed groups moved rows of other reports too: the cache starts again from what this report knows.
            if (regrouped.Count > 0) cache.Clear();
            foreach (var e in existing)
            {
                var v = FindByNormalizedId(plan.Report, e.VulnId, ref byNormalized);
                var entry = cache.TryGetVulnerability(e.VulnId, out var known) ? known : new SqliteIdentityCache.Vulnerability();
                entry.Id = e.Id;
                // What the merge above left: a title or description is filled in when the report has one.
                entry.NoTitle = e.NoTitle && v?.Title is null;
                entry.NoDescription = e.NoDescription && v?.Description is null;
                if (v is not null) entry.Remember(EvidenceOf(v, columns));
                learnt.Add((e.VulnId, entry));
            }
            foreach (var (vulnId, entry) in learnt)
            {
                entry.GroupId = nodeOf[vulnId].Root().Id;
                cache.SetVulnerability(vulnId, entry);
            }
            foreach (var (groupId, canonical) in canonicalOf) cache.SetCanonical(groupId, canonical);
            foreach (var (relation, _) in applied) cache.SetAsserted(relation);
        }

        return nodeOf.ToDictionary(kv => kv.Key, kv => kv.Value.Root().Id, StringComparer.Ordinal);
    }

    /// <summary>A stored record the report names. Its evidence columns are merged as they are read (or not read at all when
    /// the identity cache knows this report's evidence is in it already) and not kept.</summary>
    private sealed record ExistingVulnerability(string VulnId, long Id, long GroupId, bool NoDescription, bool NoTitle);

    /// <summary>The identity cache for this report (ADR 101), or none for a report too large to be worth remembering, which
    /// then empties it: what it writes is not followed.</summary>
    private static SqliteIdentityCache? IdentityCacheFor(ImportStore store, ImportPlan plan)
    {
        var cache = store.UseIdentityCache();
        if (cache is null || plan.Report.Vulnerabilities.Count <= SqliteIdentityCache.MaxReportRecords) return cache;
        cache.Clear();
        return null;
    }

    private static UInt128 EvidenceOf(ParsedVulnerability v, IReadOnlyDictionary<ParsedVulnerability, VulnerabilityColumns>? columns) =>
        (columns?.GetValueOrDefault(v) ?? VulnerabilityColumns.Of(v)).Evidence;

    /// <summary>The report's record for a normalised id: its own spelling first, else the record whose id normalises to it
    /// (an index of the report's ids by their normal form is built on the first miss, not a scan per lookup).</summary>
    private static ParsedVulnerability? FindByNormalizedId(ParsedReport report, string normalizedId, ref Dictionary<string, ParsedVulnerability>? byNormalized)
    {
        if (report.Vulnerabilities.TryGetValue(normalizedId, out var v)) return v;
        if (byNormalized is null)
        {
            byNormalized = new Dictionary<string, ParsedVulnerability>(StringComparer.Ordinal);
            foreach (var (k, value) in report.Vulnerabilities) byNormalized.TryAdd(VulnerabilityIds.Normalize(k), value);
        }
        return byNormalized.GetValueOrDefault(normalizedId);
    }

    private static readonly string[] VulnerabilityColumnNames =
        ["Id", "VulnId", "GroupId", "Title", "Description", "Cwes", "CvssJson", "SeverityBySourceJson", "References", "PrimaryUrl", "PublishedAt", "ModifiedAt"];

    private static object?[] VulnerabilityRow(long id, string vulnId, long groupId, ParsedVulnerability? v, VulnerabilityColumns? evidence) =>
    [
        id, vulnId, groupId, v?.Title, v?.Description, v?.Cwes ?? [], evidence?.CvssJson, evidence?.SeverityBySourceJson, v?.References ?? [],
        v?.PrimaryUrl, v?.PublishedAt?.UtcDateTime, v?.ModifiedAt?.UtcDateTime,
    ];

    /// <summary>Merges alias group <paramref name="loser"/> into <paramref name="survivor"/>: members move, findings of the
    /// same artifact and package merge (observations move to the surviving finding), the loser group is removed.</summary>
    private static async Task MergeGroupsAsync(ImportStore store, long survivor, long loser, CancellationToken ct)
    {
        var collisions = await store.QueryAsync(
            "SELECT l.\"Id\", s.\"Id\" FROM \"Findings\" l JOIN \"Findings\" s ON s.\"ArtifactId\" = l.\"ArtifactId\" AND s.\"PackageId\" = l.\"PackageId\" " +
            "WHERE l.\"GroupId\" = @p0 AND s.\"GroupId\" = @p1",
            r => (Loser: r.GetInt64(0), Survivor: r.GetInt64(1)), ct, loser, survivor);
        foreach (var (loserFinding, survivorFinding) in collisions)
        {
            // The same scanner record cannot sit on both findings; if it somehow does, the surviving copy wins.
            await store.ExecuteAsync(
                "DELETE FROM \"Observations\" WHERE \"FindingId\" = @p0 AND EXISTS (SELECT 1 FROM \"Observations\" o2 WHERE o2.\"FindingId\" = @p1 " +
                "AND o2.\"Scanner\" = \"Observations\".\"Scanner\" AND o2.\"RawVulnId\" = \"Observations\".\"RawVulnId\")", ct, loserFinding, survivorFinding);
            await store.ExecuteAsync("UPDATE \"Observations\" SET \"FindingId\" = @p0 WHERE \"FindingId\" = @p1", ct, survivorFinding, loserFinding);
            await store.ExecuteAsync(
                "UPDATE \"Findings\" SET \"FirstSeen\" = (SELECT MIN(\"FirstSeen\") FROM \"Findings\" WHERE \"Id\" IN (@p0, @p1)), \"Version\" = \"Version\" + 1 WHERE \"Id\" = @p0",
                ct, survivorFinding, loserFinding);
            await store.ExecuteAsync("DELETE FROM \"Findings\" WHERE \"Id\" = @p0", ct, loserFinding);
        }
        await store.ExecuteAsync("UPDATE \"Findings\" SET \"GroupId\" = @p0 WHERE \"GroupId\" = @p1", ct, survivor, loser);
        await store.ExecuteAsync("UPDATE \"Vulnerabilities\" SET \"GroupId\" = @p0 WHERE \"GroupId\" = @p1", ct, survivor, loser);
        await store.ExecuteAsync("DELETE FROM \"AliasGroups\" WHERE \"Id\" = @p0", ct, loser);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Packages

    private static async Task<Dictionary<PackageKey, long>> ResolvePackagesAsync(ImportStore store, ImportPlan plan, CancellationToken ct)
    {
        var all = new Dictionary<PackageKey, ParsedPackage>();
        foreach (var ap in plan.Artifacts)
            foreach (var (k, p) in ap.Packages)
                all.TryAdd(k, p);
        var keyStrings = all.Keys.ToDictionary(k => k.ToString(), k => k, StringComparer.Ordinal);
        var cache = IdentityCacheFor(store, plan);
        var found = new List<(string Key, long Id, bool NoSource)>(keyStrings.Count);
        var unknown = new List<string>(cache is null ? 0 : keyStrings.Count);
        if (cache is not null)
            foreach (var k in keyStrings.Keys)
                if (cache.TryGetPackage(k, out var id, out var noSource)) found.Add((k, id, noSource));
                else unknown.Add(k);
        found.AddRange(await store.QueryByKeysAsync(
            "SELECT \"Key\", \"Id\", CASE WHEN \"SourceName\" IS NULL THEN 1 ELSE 0 END FROM \"Packages\" WHERE \"Key\" IN ({keys})",
            cache is null ? keyStrings.Keys : (IReadOnlyCollection<string>)unknown, r => (Key: store.Str(r, 0), Id: r.GetInt64(1), NoSource: r.GetInt32(2) == 1), ct));
        var result = new Dictionary<PackageKey, long>();
        var fills = new List<object?[]>();
        foreach (var (k, id, noSource) in found)
        {
            var key = keyStrings[k];
            result[key] = id;
            // Trivy names the source package only with --list-all-pkgs; Grype's upstreams or Snyk's source/binary fill it in later.
            var source = noSource ? all[key].SourceName : null;
            if (source is not null) fills.Add([source, all[key].SourceVersion, id]);
            cache?.SetPackage(k, id, noSource && source is null);
        }
        await store.ExecuteForEachAsync("UPDATE \"Packages\" SET \"SourceName\" = @p0, \"SourceVersion\" = COALESCE(\"SourceVersion\", @p1) WHERE \"Id\" = @p2", 3, fills, ct);

        var missing = keyStrings.Where(kv => !result.ContainsKey(kv.Value)).OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        var ids = await store.AllocateIdsAsync("Packages", missing.Count, ct);
        var rows = new List<object?[]>(missing.Count);
        for (var i = 0; i < missing.Count; i++)
        {
            var (keyString, key) = missing[i];
            var p = all[key];
            result[key] = ids[i];
            rows.Add([ids[i], keyString, key.Type, key.Namespace, key.Name, key.Version, p.Purl, p.SourceName, p.SourceVersion]);
            cache?.SetPackage(keyString, ids[i], p.SourceName is null);
        }
        await store.InsertAsync("Packages", ["Id", "Key", "Type", "Namespace", "Name", "Version", "Purl", "SourceName", "SourceVersion"], rows, ct);
        return result;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Artifacts, findings, observations

    private sealed class FindingState
    {
        public long Id;
        public bool IsNew;
        public bool Touched;
        public bool Active;
        public Severity Severity;
        public List<string> FixedVersions = [];
        public int ScannerMask;
        public long PackageId;
        public long GroupId;
        public string? PackageName;
        /// <summary>An existing finding's stored values of the columns some index of Findings covers: an UPDATE that sets an
        /// indexed column rewrites its index entries even when the value stays the same, so they are written only on change.</summary>
        public (bool Active, Severity Severity, bool FixAvailable) Stored;

        public bool IndexedChanged => (Active, Severity, FixedVersions.Count > 0) != Stored;
    }

    private sealed record ExistingObservation(long Id, long FindingId, string Scanner, string RawVulnId, bool Active, Severity Severity, List<string> FixedVersions);

    private async Task<ImportedArtifact> StoreArtifactAsync(ImportStore store, ImportPlan plan, ArtifactPlan ap, long rawId,
        Dictionary<string, long> groupOf, Dictionary<long, string> canonicalOf, Dictionary<PackageKey, long> packageIds, ImportOptions options, DateTime now, CancellationToken ct)
    {
        var timer = ImportTimings.Start();
        var scanner = plan.Report.Scanner.ToWire();
        var repositoryId = await ResolveRepositoryAsync(store, ap.Repository, now, ct);
        var (artifactId, isNewArtifact) = await ResolveArtifactAsync(store, repositoryId, ap, now, ct);

        // Packages present in the artifact.
        var present = (await store.QueryAsync("SELECT \"PackageId\" FROM \"ArtifactPackages\" WHERE \"ArtifactId\" = @p0", r => r.GetInt64(0), ct, artifactId)).ToHashSet();
        var apRows = new List<object?[]>();
        var seenAgain = new List<object?[]>();
        foreach (var (key, pkg) in ap.Packages)
        {
            var pid = packageIds[key];
            if (present.Add(pid)) apRows.Add([artifactId, pid, pkg.Layer, pkg.Paths, now, now]);
            else seenAgain.Add([now, artifactId, pid]);
        }
        await store.InsertAsync("ArtifactPackages", ["ArtifactId", "PackageId", "Layer", "Paths", "FirstSeen", "LastSeen"], apRows, ct);
        await store.ExecuteForEachAsync("UPDATE \"ArtifactPackages\" SET \"LastSeen\" = @p0 WHERE \"ArtifactId\" = @p1 AND \"PackageId\" = @p2", 3, seenAgain, ct);

        var scanId = (await store.AllocateIdsAsync("Scans", 1, ct))[0];

        // Existing findings and observations of this artifact (all scanners: the finding's severity spans them).
        var findings = new Dictionary<(long Package, long Group), FindingState>();
        var findingById = new Dictionary<long, FindingState>();
        var observations = new List<ExistingObservation>();
        if (!isNewArtifact)
        {
            foreach (var (id, pkg, grp, stored) in await store.QueryAsync(
                "SELECT \"Id\", \"PackageId\", \"GroupId\", \"Active\", \"Severity\", \"FixedVersions\", \"ScannerMask\" FROM \"Findings\" WHERE \"ArtifactId\" = @p0",
                r => (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2),
                    (Active: r.GetBoolean(3), Severity: (Severity)r.GetInt32(4), Fixed: Configuration.StringListJsonConverter.Deserialize(store.Str(r, 5)),
                     Mask: r.GetInt32(6))), ct, artifactId))
            {
                // Until this import says otherwise, the finding keeps what is stored (a finding that closes keeps its last
                // severity and fixed versions).
                var f = new FindingState
                {
                    Id = id, Active = stored.Active, Severity = stored.Severity, FixedVersions = stored.Fixed, ScannerMask = stored.Mask,
                    Stored = (stored.Active, stored.Severity, stored.Fixed.Count > 0),
                };
                findings[(pkg, grp)] = f;
                findingById[id] = f;
            }
            observations = await store.QueryAsync(
                "SELECT o.\"Id\", o.\"FindingId\", o.\"Scanner\", o.\"RawVulnId\", o.\"Active\", o.\"Severity\", o.\"FixedVersions\" " +
                "FROM \"Observations\" o JOIN \"Findings\" f ON f.\"Id\" = o.\"FindingId\" WHERE f.\"ArtifactId\" = @p0",
                r => new ExistingObservation(r.GetInt64(0), r.GetInt64(1), store.Str(r, 2), store.Str(r, 3), r.GetBoolean(4), (Severity)r.GetInt32(5),
                    Configuration.StringListJsonConverter.Deserialize(store.Str(r, 6))), ct, artifactId);
        }

        // Map each claim to its finding, creating findings that do not exist yet.
        var claimFinding = new List<(ClaimPlan Claim, FindingState Finding)>(ap.Claims.Count);
        var newFindings = new List<FindingState>();
        foreach (var claim in ap.Claims.Values)
        {
            var key = (packageIds[claim.Package], groupOf[claim.FindingVulnId]);
            if (!findings.TryGetValue(key, out var f))
            {
                f = new FindingState { IsNew = true, PackageId = key.Item1, GroupId = key.Item2, PackageName = claim.Package.Name };
                findings[key] = f;
                newFindings.Add(f);
            }
            f.Touched = true;
            claimFinding.Add((claim, f));
        }
        var newFindingIds = await store.AllocateIdsAsync("Findings", newFindings.Count, ct);
        for (var i = 0; i < newFindings.Count; i++)
        {
            newFindings[i].Id = newFindingIds[i];
            findingById[newFindingIds[i]] = newFindings[i];
        }

        // This scanner's observations: update the ones it reported before, insert new ones, retire the rest.
        var previous = observations.Where(o => o.Scanner == scanner).ToDictionary(o => (o.FindingId, o.RawVulnId));
        var insertObs = new List<object?[]>();
        var updateObs = new List<object?[]>();
        var reported = new HashSet<(long, string)>();
        var activeObs = new Dictionary<long, List<(Severity Severity, List<string> Fixed, int ScannerBit)>>();
        var scannerBit = plan.Report.Scanner.Bit();
        foreach (var (claim, f) in claimFinding)
        {
            foreach (var (rawVulnId, o) in claim.Observations)
            {
                if (!reported.Add((f.Id, rawVulnId))) continue;
                var pkg = claim.PackageInfo;
                var cvss = EvidenceJson.Cvss(o.Cvss);
                var paths = EvidenceJson.Paths(pkg.Paths, o.DependencyPaths);
                var fixedVersions = o.FixedVersions;
                if (previous.TryGetValue((f.Id, rawVulnId), out var prev))
                    updateObs.Add([scanId, pkg.Name, pkg.Version, pkg.Purl, o.Severity, o.SeveritySource, cvss, fixedVersions, o.FixState, o.Status, paths, now, prev.Id]);
                else
                    insertObs.Add([0L, f.Id, scanId, scanner, rawVulnId, pkg.Name, pkg.Version, pkg.Purl, o.Severity, o.SeveritySource, cvss, fixedVersions, o.FixState, o.Status, paths, true, now, now]);
                Add(activeObs, f.Id, (o.Severity, fixedVersions, scannerBit));
            }
        }
        var retire = previous.Values.Where(p => p.Active && !reported.Contains((p.FindingId, p.RawVulnId))).ToList();
        foreach (var o in observations)
        {
            // Other scanners' active observations, and this scanner's only if reported again (already added above).
            if (o.Active && o.Scanner != scanner) Add(activeObs, o.FindingId, (o.Severity, o.FixedVersions, ScannerBitOf(o.Scanner)));
        }
        foreach (var r in retire)
            if (findingById.TryGetValue(r.FindingId, out var f)) f.Touched = true;

        var obsIds = await store.AllocateIdsAsync("Observations", insertObs.Count, ct);
        for (var i = 0; i < insertObs.Count; i++) insertObs[i][0] = obsIds[i];

        // Aggregate each touched finding from its active observations, with its stored scanner mask (ADR 090).
        foreach (var f in findingById.Values.Where(f => f.Touched))
        {
            if (activeObs.TryGetValue(f.Id, out var list))
            {
                f.Active = true;
                f.Severity = list.Max(x => x.Severity);
                f.FixedVersions = FixedVersionsOf(list);
                f.ScannerMask = list.Aggregate(0, (mask, x) => mask | x.ScannerBit);
            }
            else
            {
                f.Active = false;
                f.ScannerMask = 0;
            }
        }

        timer.Lap("findings planned");
        // Write: scan, findings, observations, in foreign-key order.
        var newCount = newFindings.Count;
        var claimedFindings = claimFinding.Select(c => c.Finding.Id).Distinct().Count();
        var skipped = plan.Report.Skipped.Count == 0 ? null : string.Join(", ", plan.Report.Skipped.Select(kv => $"{kv.Key}: {kv.Value}"));
        await store.InsertAsync("Scans",
            ["Id", "ArtifactId", "RawReportId", "Scanner", "ScannerVersion", "DatabaseInfo", "ReportCreatedAt", "ImportedAt", "Target",
             "ObservationCount", "FindingCount", "NewFindingCount", "Skipped", "ImportedBy"],
            [[scanId, artifactId, rawId, scanner, plan.Report.ScannerVersion, plan.Report.DatabaseInfo, plan.Report.CreatedAt?.UtcDateTime, now,
              ap.TargetNames.Count == 0 ? null : string.Join(", ", ap.TargetNames), reported.Count, claimedFindings, newCount, skipped, options.ImportedBy]], ct);

        // Findings carry their stored keys (ADR 090) from the start and the importer keeps the scanner mask of those it
        // touches: nothing needs refreshing after (package names never change, canonical ids only with their group, which
        // RefreshGroupsAsync follows).
        await store.InsertAsync("Findings",
            ["Id", "ArtifactId", "PackageId", "GroupId", "Severity", "FixedVersions", "FixAvailable", "Active", "FirstSeen", "LastSeen", "Version",
             "PackageName", "VulnerabilityId", "ScannerMask"],
            newFindings.Select(f => new object?[] { f.Id, artifactId, f.PackageId, f.GroupId, f.Severity, f.FixedVersions, f.FixedVersions.Count > 0, f.Active, now, now, 1L,
                f.PackageName, canonicalOf[f.GroupId], f.ScannerMask }).ToList(), ct);
        // A rescan, or another scanner on the same image, mostly finds what was found before: the columns that indexes cover
        // are written only where they change; the rest (LastSeen, Version, the fixed versions, the scanner mask) no index holds.
        var touched = findingById.Values.Where(f => f.Touched && !f.IsNew).ToList();
        await store.ExecuteForEachAsync(
            "UPDATE \"Findings\" SET \"Severity\" = @p0, \"FixedVersions\" = @p1, \"Active\" = @p2, \"LastSeen\" = CASE WHEN @p2 THEN @p3 ELSE \"LastSeen\" END, " +
            "\"Version\" = \"Version\" + 1, \"FixAvailable\" = @p5, \"ScannerMask\" = @p6 WHERE \"Id\" = @p4",
            7, touched.Where(f => f.IndexedChanged)
                .Select(f => new object?[] { f.Severity, f.FixedVersions, f.Active, now, f.Id, f.FixedVersions.Count > 0, f.ScannerMask }).ToList(), ct);
        await store.ExecuteForEachAsync(
            "UPDATE \"Findings\" SET \"FixedVersions\" = @p0, \"ScannerMask\" = @p1, \"LastSeen\" = CASE WHEN \"Active\" THEN @p2 ELSE \"LastSeen\" END, " +
            "\"Version\" = \"Version\" + 1 WHERE \"Id\" = @p3",
            4, touched.Where(f => !f.IndexedChanged).Select(f => new object?[] { f.FixedVersions, f.ScannerMask, now, f.Id }).ToList(), ct);

        await store.InsertAsync("Observations",
            ["Id", "FindingId", "ScanId", "Scanner", "RawVulnId", "RawPackageName", "RawPackageVersion", "Purl", "Severity", "SeveritySource",
             "CvssJson", "FixedVersions", "FixState", "Status", "PathsJson", "Active", "FirstSeen", "LastSeen"], insertObs, ct);
        await store.ExecuteForEachAsync(
            "UPDATE \"Observations\" SET \"ScanId\" = @p0, \"RawPackageName\" = @p1, \"RawPackageVersion\" = @p2, \"Purl\" = @p3, \"Severity\" = @p4, " +
            "\"SeveritySource\" = @p5, \"CvssJson\" = @p6, \"FixedVersions\" = @p7, \"FixState\" = @p8, \"Status\" = @p9, \"PathsJson\" = @p10, " +
            "\"Active\" = TRUE, \"LastSeen\" = @p11 WHERE \"Id\" = @p12", 13, updateObs, ct);
        await store.ExecuteForEachAsync("UPDATE \"Observations\" SET \"Active\" = FALSE WHERE \"Id\" = @p0", 1,
            retire.Select(r => new object?[] { r.Id }).ToList(), ct);

        timer.Lap("findings+observations written");
        // The sums' parts count open findings by group, severity and fix: only a new finding or a change to one of those
        // columns (an indexed change) can move them.
        var openFindingsChanged = newCount > 0 || touched.Any(f => f.IndexedChanged);
        await Rollups.FindingKeys.RefreshArtifactAsync(store, artifactId, isNewArtifact, openFindingsChanged, ct);
        timer.Lap("finding keys+rollups");
        var namesAdded = await UpdateArtifactAsync(store, artifactId, ap, present.Count, now, ct) || isNewArtifact;
        return new ImportedArtifact(ap.DisplayName, ap.Repository, ap.Digest, artifactId, scanId, reported.Count, claimedFindings, newCount, namesAdded);
    }

    /// <summary>The union of the observations' fixed versions, distinct and in ordinal order. Most findings have one
    /// observation with at most one fixed version: that list is used as it is instead of through a LINQ pipeline.</summary>
    private static List<string> FixedVersionsOf(List<(Severity Severity, List<string> Fixed, int ScannerBit)> observations)
    {
        if (observations.Count == 1 && observations[0].Fixed.Count <= 1) return observations[0].Fixed;
        return observations.SelectMany(x => x.Fixed).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    private static readonly Dictionary<string, int> ScannerBits = ScannerKindNames.All.ToDictionary(k => k.ToWire(), k => k.Bit(), StringComparer.Ordinal);

    private static int ScannerBitOf(string wire) => ScannerBits.GetValueOrDefault(wire);

    private static void Add(Dictionary<long, List<(Severity, List<string>, int)>> map, long findingId, (Severity, List<string>, int) value)
    {
        if (!map.TryGetValue(findingId, out var list)) map[findingId] = list = [];
        list.Add(value);
    }

    private static async Task<long> ResolveRepositoryAsync(ImportStore store, string name, DateTime now, CancellationToken ct)
    {
        var id = await store.ScalarAsync<long?>("SELECT \"Id\" FROM \"Repositories\" WHERE \"Name\" = @p0", ct, name);
        if (id is not null) return id.Value;
        var newId = (await store.AllocateIdsAsync("Repositories", 1, ct))[0];
        await store.InsertAsync("Repositories", ["Id", "Name", "TeamId", "ReplacesRepositoryId", "CreatedAt"], [[newId, name, null, null, now]], ct);
        return newId;
    }

    /// <summary>Finds the artifact: by digest, else by config digest, else (no digest) by tag; a report with a digest adopts
    /// an artifact created earlier from the same tag without one.</summary>
    private static async Task<(long Id, bool IsNew)> ResolveArtifactAsync(ImportStore store, long repositoryId, ArtifactPlan ap, DateTime now, CancellationToken ct)
    {
        long? id = null;
        const string cols = "SELECT \"Id\" FROM \"Artifacts\" WHERE \"RepositoryId\" = @p0 AND ";
        if (ap.Digest is not null)
            id = await store.ScalarAsync<long?>(cols + "\"Digest\" = @p1", ct, repositoryId, ap.Digest);
        if (id is null && ap.ImageId is not null)
            // The digest's null test is made here, not in SQL: PostgreSQL cannot type a bare null parameter ("@p2 IS NULL").
            id = await store.ScalarAsync<long?>(cols + "\"ImageId\" = @p1" + (ap.Digest is null ? "" : " AND \"Digest\" IS NULL"), ct, repositoryId, ap.ImageId);
        if (id is null)
        {
            foreach (var tag in ap.Tags)
            {
                var like = "%" + Configuration.StringListJsonConverter.Serialize([tag]).Trim('[', ']') + "%";
                id = ap.Digest is null && ap.ImageId is null
                    ? await store.ScalarAsync<long?>(cols + "\"Tags\" LIKE @p1 ORDER BY \"LastSeen\" DESC, \"Id\" DESC LIMIT 1", ct, repositoryId, like)
                    : await store.ScalarAsync<long?>(cols + "\"Digest\" IS NULL AND \"ImageId\" IS NULL AND \"Tags\" LIKE @p1 ORDER BY \"LastSeen\" DESC, \"Id\" DESC LIMIT 1", ct, repositoryId, like);
                if (id is not null) break;
            }
        }
        if (id is null && ap.Digest is null && ap.ImageId is null && ap.Tags.Count == 0)
            id = await store.ScalarAsync<long?>(cols + "\"Digest\" IS NULL ORDER BY \"LastSeen\" DESC, \"Id\" DESC LIMIT 1", ct, repositoryId);
        if (id is not null) return (id.Value, false);

        var newId = (await store.AllocateIdsAsync("Artifacts", 1, ct))[0];
        await store.InsertAsync("Artifacts",
            ["Id", "RepositoryId", "Digest", "ImageId", "Tags", "OsFamily", "OsName", "BaseImage", "SizeBytes", "PackageCount", "FirstSeen", "LastSeen"],
            [[newId, repositoryId, ap.Digest, ap.ImageId, ap.Tags, ap.OsFamily, ap.OsName, ap.BaseImage, ap.SizeBytes, 0, now, now]], ct);
        return (newId, true);
    }

    /// <summary>Updates the artifact's names and facts; true when it gained a name (a tag, or a digest it lacked).</summary>
    private static async Task<bool> UpdateArtifactAsync(ImportStore store, long artifactId, ArtifactPlan ap, int packageCount, DateTime now, CancellationToken ct)
    {
        var row = (await store.QueryAsync(
            "SELECT \"Tags\", \"Digest\", \"ImageId\" FROM \"Artifacts\" WHERE \"Id\" = @p0",
            r => (Tags: Configuration.StringListJsonConverter.Deserialize(store.Str(r, 0)), Digest: r.IsDBNull(1) ? null : store.Str(r, 1),
                ImageId: r.IsDBNull(2) ? null : store.Str(r, 2)), ct, artifactId)).Single();
        var tags = row.Tags;
        var added = row.Digest is null && ap.Digest is not null;
        foreach (var t in ap.Tags)
            if (!tags.Contains(t))
            {
                tags.Add(t);
                added = true;
            }
        await store.ExecuteAsync(
            "UPDATE \"Artifacts\" SET \"Tags\" = @p0, \"Digest\" = COALESCE(\"Digest\", @p1), \"ImageId\" = COALESCE(\"ImageId\", @p2), " +
            "\"OsFamily\" = COALESCE(@p3, \"OsFamily\"), \"OsName\" = COALESCE(@p4, \"OsName\"), \"BaseImage\" = COALESCE(@p5, \"BaseImage\"), " +
            "\"SizeBytes\" = COALESCE(@p6, \"SizeBytes\"), \"PackageCount\" = @p7, \"LastSeen\" = @p8 WHERE \"Id\" = @p9",
            ct, tags, ap.Digest, ap.ImageId, ap.OsFamily, ap.OsName, ap.BaseImage, ap.SizeBytes, packageCount, now, artifactId);
        return added;
    }

    /// <summary>Milliseconds are enough, and both providers then store the same value.</summary>
    private static DateTime Truncate(DateTime t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
}
