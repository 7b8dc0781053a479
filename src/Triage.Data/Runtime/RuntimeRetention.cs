using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Triage.Core.Domain;
using Triage.Data.Import;

namespace Triage.Data.Runtime;

/// <summary>
/// How long superseded runtime evidence is kept (configuration section "Triage:Runtime:Retention", ADR 111). Each age is in
/// days; 0 keeps that kind for ever. What verdicts, scores and their explanations read is never deleted, whatever its age.
/// </summary>
public sealed record RuntimeRetentionSettings
{
    public const string Section = "Triage:Runtime:Retention";

    public static RuntimeRetentionSettings Default { get; } = new();

    /// <summary>Inventory snapshots (with their stored files) observed longer ago than this, once a newer snapshot of the same
    /// cluster, source and coverage exists and no kept workload was last seen by them.</summary>
    public int SnapshotDays { get; init; } = 30;

    /// <summary>Workload rows not seen for this long that no longer run, unless one is the last trace of an image or of a
    /// repository in a cluster.</summary>
    public int WorkloadDays { get; init; } = 90;

    /// <summary>Evidence files (profiles, file inventories, govulncheck, package lists, slim builds) observed longer ago than
    /// this, superseded by a newer part of the same kind for the same image, that no stored image's verdict reads.</summary>
    public int EvidenceDays { get; init; } = 90;

    /// <summary>Rows deleted per transaction: each batch holds the import lock only briefly.</summary>
    public int BatchSize { get; init; } = 500;

    public bool Enabled => SnapshotDays > 0 || WorkloadDays > 0 || EvidenceDays > 0;

    /// <summary>Problems with bound settings, empty when usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        foreach (var (name, days) in new[] { (nameof(SnapshotDays), SnapshotDays), (nameof(WorkloadDays), WorkloadDays), (nameof(EvidenceDays), EvidenceDays) })
            if (days is < 0 or > 36_600) errors.Add($"{Section}:{name} must be between 0 (keep for ever) and 36600 days.");
        if (BatchSize is < 1 or > 10_000) errors.Add($"{Section}:{nameof(BatchSize)} must be between 1 and 10000.");
        return errors;
    }
}

/// <summary>What one purge deleted (or, for a dry run, would delete).</summary>
public sealed record RuntimePurgeResult
{
    public bool DryRun { get; init; }
    public int Workloads { get; init; }
    public int Snapshots { get; init; }
    /// <summary>The stored files of the deleted snapshots.</summary>
    public int InventoryFiles { get; init; }
    public int EvidenceFiles { get; init; }
    /// <summary>The per-image rows of the deleted evidence files.</summary>
    public int EvidenceParts { get; init; }
    /// <summary>Compressed bytes of the deleted files.</summary>
    public long Bytes { get; init; }
    /// <summary>Delete transactions run (0 for a dry run).</summary>
    public int Batches { get; init; }
    public long ElapsedMs { get; init; }
    public required RuntimeRetentionSettings Settings { get; init; }

    public int Deleted => Workloads + Snapshots + InventoryFiles + EvidenceFiles + EvidenceParts;

    /// <summary>One line for people and the audit log.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{(DryRun ? "would delete" : "deleted")} {Snapshots} superseded inventory snapshots ({InventoryFiles} files), {Workloads} workloads, " +
        $"{EvidenceFiles} superseded evidence files ({EvidenceParts} image parts), {Bytes} compressed bytes " +
        $"(snapshots after {Settings.SnapshotDays} days, workloads after {Settings.WorkloadDays}, evidence after {Settings.EvidenceDays}; 0 = kept)");

    /// <summary>The object `triage runtime purge --json` prints.</summary>
    public void Write(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteBoolean("dryRun", DryRun);
        w.WriteNumber("workloads", Workloads);
        w.WriteNumber("snapshots", Snapshots);
        w.WriteNumber("inventoryFiles", InventoryFiles);
        w.WriteNumber("evidenceFiles", EvidenceFiles);
        w.WriteNumber("evidenceParts", EvidenceParts);
        w.WriteNumber("bytes", Bytes);
        w.WriteNumber("batches", Batches);
        w.WriteNumber("elapsedMs", ElapsedMs);
        w.WriteStartObject("settings");
        w.WriteNumber("snapshotDays", Settings.SnapshotDays);
        w.WriteNumber("workloadDays", Settings.WorkloadDays);
        w.WriteNumber("evidenceDays", Settings.EvidenceDays);
        w.WriteNumber("batchSize", Settings.BatchSize);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}

/// <summary>
/// Deletes runtime evidence that nothing reads any more (docs/decisions/111-runtime-retention.md). What verdicts, scores,
/// their explanations and the weekly metrics read is kept, whatever its age:
/// <list type="bullet">
/// <item>Snapshots: the newest of each cluster, source and coverage (<see cref="InventoryState"/> reads only that one's
/// time per coverage, and the set of coverages per cluster), the one every kept workload was last seen by (its coverage
/// says which snapshot covers it), and the very first (the metrics count production from it).</item>
/// <item>Workloads: every one that still runs; per cluster and repository the most recently seen (whether an image "does
/// not run" depends on the clusters where its repository was ever seen); per scanned image the most recently seen (its
/// "last seen").</item>
/// <item>Evidence files: all that apply to a scanned image, since a verdict weighs every observation (a profile that saw a
/// file used keeps it "loaded", ADR 030); package lists of a digest that runs (ADR 109); the newest part of each kind per
/// image (it applies when the image is scanned later); the first judging file (the metrics count verdicts from it).</item>
/// </list>
/// The plan is read from one snapshot of the database; deletes run in batches, each in a short transaction serialised with
/// imports (<see cref="ImportStore"/>), and each delete checks again what a concurrent import could have changed.
/// </summary>
public sealed class RuntimeRetention
{
    /// <summary>The AppSettings key whose row decides which instance purges in a period.</summary>
    public const string ClaimKey = "runtime.retention.claim";

    private readonly string _connectionString;
    private readonly RuntimeRetentionSettings _retention;
    private readonly RuntimeSettings _settings;
    private readonly TimeProvider _time;

    public RuntimeRetention(string connectionString, RuntimeRetentionSettings? retention = null, RuntimeSettings? settings = null, TimeProvider? time = null)
    {
        _connectionString = connectionString;
        _retention = retention ?? RuntimeRetentionSettings.Default;
        _settings = settings ?? RuntimeSettings.Default;
        var errors = _retention.Validate().Concat(_settings.Validate()).ToList();
        if (errors.Count > 0) throw new ArgumentException("Invalid runtime retention settings: " + string.Join(" ", errors), nameof(retention));
        _time = time ?? TimeProvider.System;
    }

    public RuntimeRetentionSettings Retention => _retention;

    private sealed record SnapshotRow(long Id, long FileId, string Cluster, int Source, int Coverage, string Scope, DateTime ObservedAt, long Bytes);

    private sealed record PartRow(long Id, long FileId, RuntimeEvidencePart Part, string Reference, string? Repository, string? Tag, string? Digest,
        string? ImageId, DateTime ObservedAt, DateTime ImportedAt, long Bytes);

    private sealed record Plan(List<long> Workloads, List<SnapshotRow> Snapshots, List<(long FileId, int Parts, long Bytes)> EvidenceFiles);

    /// <summary>Deletes what the settings let go (<paramref name="dryRun"/>: only counts it).</summary>
    public async Task<RuntimePurgeResult> PurgeAsync(bool dryRun = false, CancellationToken ct = default)
    {
        var sw = Stopwatch.StartNew();
        await TriageDatabase.EnsureMigratedAsync(_connectionString, ct);
        var now = _time.GetUtcNow().UtcDateTime;
        Plan plan;
        await using (var db = TriageDatabase.CreateContext(_connectionString))
        await using (await TriageDatabase.BeginSnapshotAsync(db, ct))
        {
            var sql = SqlSource.Of(db.Database.GetDbConnection(), db.Provider, db.Database.CurrentTransaction?.GetDbTransaction());
            plan = await PlanAsync(sql, now, ct);
        }
        if (dryRun)
            return new RuntimePurgeResult
            {
                DryRun = true, Workloads = plan.Workloads.Count, Snapshots = plan.Snapshots.Count, InventoryFiles = plan.Snapshots.Select(s => s.FileId).Distinct().Count(),
                EvidenceFiles = plan.EvidenceFiles.Count, EvidenceParts = plan.EvidenceFiles.Sum(f => f.Parts),
                Bytes = plan.Snapshots.Sum(s => s.Bytes) + plan.EvidenceFiles.Sum(f => f.Bytes), ElapsedMs = sw.ElapsedMilliseconds, Settings = _retention,
            };

        int workloads = 0, snapshots = 0, inventoryFiles = 0, evidenceFiles = 0, parts = 0, batches = 0;
        long bytes = 0;
        var workloadCutoff = now.AddDays(-_retention.WorkloadDays);
        foreach (var chunk in plan.Workloads.Chunk(_retention.BatchSize))
        {
            await using var store = await ImportStore.BeginAsync(_connectionString, ct);
            // A workload an inventory saw again since the plan stays.
            workloads += (await store.DeleteByKeysAsync(
                "DELETE FROM \"RuntimeWorkloads\" WHERE \"Id\" IN ({keys}) AND \"LastSeen\" < @p0 RETURNING \"Id\"", chunk, ct, workloadCutoff)).Count;
            await store.CommitAsync(ct);
            batches++;
        }
        foreach (var chunk in plan.Snapshots.Chunk(_retention.BatchSize))
        {
            await using var store = await ImportStore.BeginAsync(_connectionString, ct);
            // A snapshot a workload still points at stays (the import connection of SQLite does not check foreign keys).
            var gone = (await store.DeleteByKeysAsync(
                "DELETE FROM \"RuntimeSnapshots\" WHERE \"Id\" IN ({keys}) " +
                "AND NOT EXISTS (SELECT 1 FROM \"RuntimeWorkloads\" w WHERE w.\"LastSnapshotId\" = \"RuntimeSnapshots\".\"Id\") RETURNING \"Id\"",
                chunk.Select(s => s.Id).ToList(), ct)).ToHashSet();
            var files = await store.DeleteByKeysAsync(FileDelete, chunk.Where(s => gone.Contains(s.Id)).Select(s => s.FileId).Distinct().ToList(), ct);
            await store.CommitAsync(ct);
            snapshots += gone.Count;
            inventoryFiles += files.Count;
            var deleted = files.ToHashSet();
            bytes += chunk.Where(s => deleted.Contains(s.FileId)).DistinctBy(s => s.FileId).Sum(s => s.Bytes);
            batches++;
        }
        foreach (var chunk in plan.EvidenceFiles.Chunk(_retention.BatchSize))
        {
            await using var store = await ImportStore.BeginAsync(_connectionString, ct);
            // Judged again under the import lock: a scan that arrived since the plan may have made the evidence apply to an image.
            var sql = SqlSource.Of(store);
            var relevance = await Relevance.LoadAsync(sql, _settings, ct);
            var rows = await sql.QueryByKeysAsync(PartSelect + " WHERE e.\"EvidenceFileId\" IN ({keys})", chunk.Select(f => f.FileId).ToList(), MapPart, ct);
            var judging = rows.Where(relevance.Judges).Select(r => r.FileId).ToHashSet();
            var ids = chunk.Select(f => f.FileId).Where(id => !judging.Contains(id)).ToList();
            parts += (await store.DeleteByKeysAsync("DELETE FROM \"RuntimeImageEvidence\" WHERE \"EvidenceFileId\" IN ({keys}) RETURNING \"Id\"", ids, ct)).Count;
            var deleted = (await store.DeleteByKeysAsync(FileDelete, ids, ct)).ToHashSet();
            await store.CommitAsync(ct);
            evidenceFiles += deleted.Count;
            bytes += chunk.Where(f => deleted.Contains(f.FileId)).Sum(f => f.Bytes);
            batches++;
        }
        return new RuntimePurgeResult
        {
            Workloads = workloads, Snapshots = snapshots, InventoryFiles = inventoryFiles, EvidenceFiles = evidenceFiles, EvidenceParts = parts, Bytes = bytes,
            Batches = batches, ElapsedMs = sw.ElapsedMilliseconds, Settings = _retention,
        };
    }

    /// <summary>Deletes files that no snapshot and no image part points at any more.</summary>
    private const string FileDelete =
        "DELETE FROM \"RuntimeEvidenceFiles\" WHERE \"Id\" IN ({keys}) " +
        "AND NOT EXISTS (SELECT 1 FROM \"RuntimeSnapshots\" s WHERE s.\"EvidenceFileId\" = \"RuntimeEvidenceFiles\".\"Id\") " +
        "AND NOT EXISTS (SELECT 1 FROM \"RuntimeImageEvidence\" e WHERE e.\"EvidenceFileId\" = \"RuntimeEvidenceFiles\".\"Id\") RETURNING \"Id\"";

    private async Task<Plan> PlanAsync(SqlSource sql, DateTime now, CancellationToken ct)
    {
        var catalog = await ArtifactCatalog.LoadAsync(sql, ct);
        var state = await InventoryState.LoadAsync(sql, _settings, ct);
        var workloads = _retention.WorkloadDays > 0 ? StaleWorkloads(state, catalog, now.AddDays(-_retention.WorkloadDays)) : [];
        var snapshots = _retention.SnapshotDays > 0 ? await SupersededSnapshotsAsync(sql, workloads, now.AddDays(-_retention.SnapshotDays), ct) : [];
        var evidence = _retention.EvidenceDays > 0
            ? await SupersededEvidenceAsync(sql, Relevance.Of(catalog, state), now.AddDays(-_retention.EvidenceDays), ct)
            : [];
        return new Plan(workloads, snapshots, evidence);
    }

    /// <summary>Workloads not seen since <paramref name="cutoff"/> that no longer run and are not the last trace of an image,
    /// or of a repository in a cluster (<see cref="InventoryState.Absence"/> reads where a repository was ever seen).</summary>
    private static List<long> StaleWorkloads(InventoryState state, ArtifactCatalog catalog, DateTime cutoff)
    {
        var keep = new HashSet<long>();
        var newestByRepository = new Dictionary<(string Cluster, string Repository), WorkloadRow>();
        var newestByArtifact = new Dictionary<long, WorkloadRow>();
        foreach (var w in state.Workloads)
        {
            if (state.IsCurrent(w)) keep.Add(w.Id);
            foreach (var repository in InventoryState.Repositories(w))
                if (!newestByRepository.TryGetValue((w.Cluster, repository), out var seen) || Newer(w, seen)) newestByRepository[(w.Cluster, repository)] = w;
            foreach (var id in catalog.Match(w.Repository, w.Tag, w.Digest, w.ImageId, w.Reference))
                if (!newestByArtifact.TryGetValue(id, out var seen) || Newer(w, seen)) newestByArtifact[id] = w;
        }
        keep.UnionWith(newestByRepository.Values.Select(w => w.Id));
        keep.UnionWith(newestByArtifact.Values.Select(w => w.Id));
        return state.Workloads.Where(w => !keep.Contains(w.Id) && w.LastSeen < cutoff).Select(w => w.Id).Order().ToList();

        static bool Newer(WorkloadRow a, WorkloadRow b) => (a.LastSeen, a.Id).CompareTo((b.LastSeen, b.Id)) > 0;
    }

    /// <summary>Snapshots observed before <paramref name="cutoff"/> that are neither the newest of their cluster, source and
    /// coverage, nor the first of all, nor the last to see a workload that stays.</summary>
    private static async Task<List<SnapshotRow>> SupersededSnapshotsAsync(SqlSource sql, List<long> staleWorkloads, DateTime cutoff, CancellationToken ct)
    {
        var rows = await sql.QueryAsync(
            "SELECT s.\"Id\", s.\"EvidenceFileId\", s.\"Cluster\", s.\"Source\", s.\"Coverage\", s.\"CoverageScope\", s.\"ObservedAt\", COALESCE(LENGTH(f.\"Content\"), 0) " +
            "FROM \"RuntimeSnapshots\" s LEFT JOIN \"RuntimeEvidenceFiles\" f ON f.\"Id\" = s.\"EvidenceFileId\"",
            r => new SnapshotRow(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetInt32(3), r.GetInt32(4), r.GetString(5), RiskInputLoader.Utc(r.GetDateTime(6)),
                Convert.ToInt64(r.GetValue(7), CultureInfo.InvariantCulture)), ct);
        if (rows.Count == 0) return [];
        var stale = staleWorkloads.ToHashSet();
        var referenced = (await sql.QueryAsync("SELECT \"Id\", \"LastSnapshotId\" FROM \"RuntimeWorkloads\"", r => (Id: r.GetInt64(0), Snapshot: r.GetInt64(1)), ct))
            .Where(w => !stale.Contains(w.Id)).Select(w => w.Snapshot).ToHashSet();
        var withParts = (await sql.QueryAsync("SELECT DISTINCT \"EvidenceFileId\" FROM \"RuntimeImageEvidence\"", r => r.GetInt64(0), ct)).ToHashSet();
        var first = rows.MinBy(s => (s.ObservedAt, s.Id))!.Id;
        var newest = rows.GroupBy(s => (s.Cluster, s.Source, s.Coverage, s.Scope)).Select(g => g.MaxBy(s => (s.ObservedAt, s.Id))!.Id).ToHashSet();
        return rows.Where(s => s.ObservedAt < cutoff && s.Id != first && !newest.Contains(s.Id) && !referenced.Contains(s.Id) && !withParts.Contains(s.FileId))
            .OrderBy(s => s.Id).ToList();
    }

    private const string PartSelect =
        "SELECT e.\"Id\", e.\"EvidenceFileId\", e.\"Part\", e.\"ImageReference\", e.\"Repository\", e.\"Tag\", e.\"Digest\", e.\"ImageId\", e.\"ObservedAt\", " +
        "f.\"ImportedAt\", COALESCE(LENGTH(f.\"Content\"), 0) FROM \"RuntimeImageEvidence\" e JOIN \"RuntimeEvidenceFiles\" f ON f.\"Id\" = e.\"EvidenceFileId\"";

    private static PartRow MapPart(System.Data.Common.DbDataReader r) => new(r.GetInt64(0), r.GetInt64(1), (RuntimeEvidencePart)r.GetInt32(2), r.GetString(3),
        r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7),
        RiskInputLoader.Utc(r.GetDateTime(8)), RiskInputLoader.Utc(r.GetDateTime(9)), Convert.ToInt64(r.GetValue(10), CultureInfo.InvariantCulture));

    /// <summary>Evidence files whose every part was observed before <paramref name="cutoff"/>, has a newer part of the same kind
    /// for the same image, and is read by no verdict (<see cref="Relevance"/>).</summary>
    private static async Task<List<(long FileId, int Parts, long Bytes)>> SupersededEvidenceAsync(SqlSource sql, Relevance relevance, DateTime cutoff,
        CancellationToken ct)
    {
        var parts = await sql.QueryAsync(PartSelect, MapPart, ct);
        if (parts.Count == 0) return [];
        var newest = parts.GroupBy(p => (p.Part, Image(p))).Select(g => g.MaxBy(p => (p.ObservedAt, p.Id))!.Id).ToHashSet();
        // The weekly metrics count verdicts from the first file one can be judged from (RiskAsOf.ReachabilitySince).
        var first = parts.Where(p => p.Part is RuntimeEvidencePart.FileAccessProfile or RuntimeEvidencePart.FileInventory or RuntimeEvidencePart.CodeReachability)
            .MinBy(p => (p.ImportedAt, p.FileId))?.FileId;
        var withSnapshots = (await sql.QueryAsync("SELECT DISTINCT \"EvidenceFileId\" FROM \"RuntimeSnapshots\"", r => r.GetInt64(0), ct)).ToHashSet();
        return parts.GroupBy(p => p.FileId)
            .Where(g => g.Key != first && !withSnapshots.Contains(g.Key)
                        && g.All(p => p.ObservedAt < cutoff && !newest.Contains(p.Id) && !relevance.Judges(p)))
            .Select(g => (g.Key, g.Count(), g.First().Bytes)).OrderBy(f => f.Key).ToList();

        // The image a part describes, as matching reads it: by digest, else config digest, else repository and tag.
        static string Image(PartRow p) => p.Digest is { } d ? "@" + d
            : p.ImageId is { } i ? "#" + i
            : p.Repository is { } r ? r + ":" + (p.Tag ?? "latest")
            : p.Reference;
    }

    /// <summary>Whether a verdict reads an evidence part: it matches a scanned image (<see cref="VerdictRefresher"/> judges
    /// the image by it), or it is the package list of a digest a current workload runs (it judges the images that digest
    /// runs in place of, ADR 109).</summary>
    private sealed class Relevance(ArtifactCatalog catalog, HashSet<string> running)
    {
        public bool Judges(PartRow p) =>
            catalog.Match(p.Repository, p.Tag, p.Digest, p.ImageId, p.Reference).Count > 0
            || (p.Part == RuntimeEvidencePart.PackageFileList && ((p.Digest is { } d && running.Contains(d)) || (p.ImageId is { } i && running.Contains(i))));

        public static Relevance Of(ArtifactCatalog catalog, InventoryState state) =>
            new(catalog, state.Workloads.Where(state.IsCurrent).SelectMany(w => new[] { w.Digest, w.ImageId }).OfType<string>().ToHashSet(StringComparer.Ordinal));

        public static async Task<Relevance> LoadAsync(SqlSource sql, RuntimeSettings settings, CancellationToken ct) =>
            Of(await ArtifactCatalog.LoadAsync(sql, ct), await InventoryState.LoadAsync(sql, settings, ct));
    }

    /// <summary>Claims the purge for the period starting now, unless another instance's claim is younger than
    /// <paramref name="period"/>: of several instances polling at once exactly one wins (as <see cref="EnrichmentSchedule.TryClaimAsync"/>).</summary>
    public static async Task<bool> TryClaimAsync(string connectionString, string instance, DateTime now, TimeSpan period, CancellationToken ct = default)
    {
        await using var db = TriageDatabase.CreateContext(connectionString);
        var due = now - period;
        var value = instance.Replace("\0", "", StringComparison.Ordinal);
        var changed = await db.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO \"AppSettings\" (\"Key\", \"Value\", \"UpdatedAt\") VALUES ({ClaimKey}, {value}, {now}) ON CONFLICT (\"Key\") DO UPDATE SET \"Value\" = excluded.\"Value\", \"UpdatedAt\" = excluded.\"UpdatedAt\" WHERE \"AppSettings\".\"UpdatedAt\" <= {due}",
            ct);
        return changed == 1;
    }
}
