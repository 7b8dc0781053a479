using System.IO.Compression;
using System.Text.Json;
using Triage.Core.Domain;
using Triage.Core.Identity;
using Triage.Core.Ingest;
using Triage.Core.Ranking;
using Triage.Core.Runtime;
using Triage.Core.Runtime.Code;
using Triage.Core.Runtime.Files;
using Triage.Core.Runtime.Inventory;
using Triage.Core.Runtime.Packages;
using Triage.Data.Import;
using Triage.Data.Queries;
using Triage.Data.Vex;

namespace Triage.Data.Runtime;

/// <summary>
/// Ingests one runtime-evidence file (format detected from content, <see cref="RuntimeEvidenceReader"/>): deployment
/// inventories become workloads with first and last seen, trivy-operator reports become scan results as well, file
/// access profiles, slim reports, govulncheck output and package file lists are stored per image. The file itself is
/// kept compressed so verdicts can be recomputed from it when scans of its image arrive. Then the verdicts and scores
/// it affects are recomputed.
/// </summary>
public sealed class RuntimeIngestService(string connectionString, RuntimeSettings? settings = null, RankingPolicy? policy = null, TimeProvider? time = null)
{
    private readonly RuntimeSettings _settings = settings ?? RuntimeSettings.Default;
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    private sealed record PartPlan(RuntimeEvidencePart Part, string Source, RuntimeImageName Image, ProfileCompleteness? Completeness, string? PartialReason,
        int Items, string? Detail);

    /// <summary>Reads and stores one file. Throws <see cref="ReportFormatException"/> for content that cannot be read and
    /// <see cref="ArgumentException"/> for a missing or bad option (e.g. an image is needed); nothing is stored then.</summary>
    public async Task<RuntimeIngestSummary> IngestAsync(Stream content, string fileName, RuntimeIngestOptions options, CancellationToken ct = default)
    {
        RuntimeImageName? image = null;
        if (options.Image is not null && !RuntimeImageName.TryParse(options.Image, out image))
            throw new ArgumentException($"--image '{options.Image}' is not an image reference");
        var now = Truncate(_time.GetUtcNow().UtcDateTime);
        var observedAt = options.ObservedAt is { } at ? Truncate(at.UtcDateTime) : now;
        var cluster = string.IsNullOrWhiteSpace(options.Cluster) ? null : options.Cluster.Trim();
        var source = string.IsNullOrWhiteSpace(options.Source) ? null : options.Source.Trim();

        using var capture = new CaptureStream(content, options.MaxBytes);
        var doc = await RuntimeEvidenceReader.ReadAsync(capture, ReadOptions(cluster, image?.Reference, options.SlimCompleteness, source, observedAt, _settings.Environments,
            options.Coverage), ct);
        await capture.DrainAsync(ct);
        var sha = capture.Sha256Hex;
        var compressed = capture.CompressedBytes;
        var warnings = new List<string>();
        var parts = await PlanAsync(doc, image, compressed, warnings, ct);
        if (doc.Inventory is { } inventory)
        {
            warnings.AddRange(inventory.Warnings);
            if (image is not null) warnings.Add($"--image is ignored for {doc.Kind.ToWire()}: it names the images it runs");
        }
        else if (options.Coverage is not null) warnings.Add($"--coverage is ignored for {doc.Kind.ToWire()}: it applies to inventories");
        var coverage = doc.Inventory is null ? null : options.Coverage?.ToWire();

        await TriageDatabase.EnsureMigratedAsync(connectionString, ct);
        // The scan half first, through the importer (its own transaction): it is a duplicate by its bytes on a retry.
        ImportSummary? scan = null;
        if (doc.ScanReport is { } report && report.Targets.Count > 0)
            scan = await new ReportImporter(connectionString).StoreAsync(ImportPlan.Build(report, null, fileName), fileName, sha, compressed, capture.BytesRead,
                new ImportOptions { ImportedBy = options.ImportedBy, MaxBytes = options.MaxBytes }, ct);

        long fileId;
        InventorySummary? inventorySummary = null;
        var images = new List<RuntimeImageSummary>();
        var matchedArtifacts = new HashSet<long>();
        await using (var store = await ImportStore.BeginAsync(connectionString, ct))
        {
            // The same bytes with the same options are a duplicate; an inventory is also a new observation when taken at another time
            // (an unchanged pod list posted every hour says the workloads still run).
            var previous = await store.ScalarAsync<long?>(
                "SELECT \"Id\" FROM \"RuntimeEvidenceFiles\" WHERE \"Sha256\" = @p0 AND COALESCE(\"Cluster\", '') = @p1 AND COALESCE(\"Image\", '') = @p2 " +
                "AND COALESCE(\"Completeness\", -1) = @p3 AND COALESCE(\"Source\", '') = @p4 AND (@p5 = 0 OR \"ObservedAt\" = @p6) " +
                "AND COALESCE(\"Coverage\", '') = @p7 ORDER BY \"Id\" LIMIT 1",
                ct, sha, cluster ?? "", image?.Reference ?? "", options.SlimCompleteness is { } c ? (int)c : -1, source ?? "", doc.Inventory is null ? 0 : 1, observedAt,
                coverage ?? "");
            if (previous is not null)
                return new RuntimeIngestSummary { File = fileName, Kind = doc.Kind.ToWire(), Sha256 = sha, Duplicate = true, Scan = scan, Warnings = warnings };

            fileId = (await store.AllocateIdsAsync("RuntimeEvidenceFiles", 1, ct))[0];
            await store.InsertAsync("RuntimeEvidenceFiles",
                ["Id", "Kind", "FileName", "Sha256", "SizeBytes", "Content", "Cluster", "Image", "Completeness", "Source", "Coverage", "Summary", "Warnings", "ObservedAt",
                 "ImportedAt", "ImportedBy"],
                [[fileId, doc.Kind, Path.GetFileName(fileName), sha, capture.BytesRead, compressed, cluster, image?.Reference, options.SlimCompleteness, source, coverage,
                  SummaryLine(doc, parts), warnings.Take(50).ToList(), observedAt, now, options.ImportedBy]], ct);

            var partIds = await store.AllocateIdsAsync("RuntimeImageEvidence", parts.Count, ct);
            await store.InsertAsync("RuntimeImageEvidence",
                ["Id", "EvidenceFileId", "Part", "Source", "ImageReference", "Repository", "Tag", "Digest", "ImageId", "Completeness", "PartialReason", "Items", "Detail", "ObservedAt"],
                parts.Select((p, i) => new object?[] { partIds[i], fileId, p.Part, p.Source, p.Image.Reference, p.Image.Repository, p.Image.Tag, p.Image.Digest,
                    p.Image.ImageId, p.Completeness, p.PartialReason, p.Items, p.Detail, observedAt }).ToList(), ct);

            var catalog = await ArtifactCatalog.LoadAsync(SqlSource.Of(store), ct);
            var names = catalog.All.ToDictionary(a => a.Id, a => ImageQueries.DisplayName(a.Repository, a.Tags, a.Digest));
            foreach (var p in parts)
            {
                var ids = catalog.Match(p.Image.Repository, p.Image.Tag, p.Image.Digest, p.Image.ImageId, p.Image.Reference);
                matchedArtifacts.UnionWith(ids);
                images.Add(new RuntimeImageSummary(p.Image.Reference, p.Part, p.Source, p.Completeness, p.PartialReason, p.Items, p.Detail,
                    ids.Select(id => names[id]).ToList()));
            }
            if (doc.Inventory is { } inv)
                inventorySummary = await StoreInventoryAsync(store, fileId, inv, cluster, observedAt, catalog, ct);
            await store.CommitAsync(ct);
        }

        // Verdicts of the images the evidence names (and of a trivy-operator report's scanned images); an inventory changes
        // where images run, which is part of every score, and which digest runs under a tag (the running image's package
        // list then judges the findings of the tag's other digests). A package list also judges the images it runs in place of.
        var artifacts = matchedArtifacts.Union(scan?.Artifacts.Select(a => a.ArtifactId) ?? []).ToList();
        var listed = parts.Where(p => p.Part == RuntimeEvidencePart.PackageFileList)
            .SelectMany(p => new[] { p.Image.Digest, p.Image.ImageId }).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var risk = new FindingRiskService(connectionString, policy, _settings, _time);
        var refresh = await risk.RefreshAsync(artifacts, scoreAll: doc.Inventory is not null, inventoryChanged: doc.Inventory is not null, listedDigests: listed, ct);
        var rematched = scan is not null && VexRematch.IsWarrantedBy([scan]) ? await RematchVexAsync(options.AuditChannel, warnings, ct) : [];
        return new RuntimeIngestSummary
        {
            File = fileName, Kind = doc.Kind.ToWire(), Sha256 = sha, Images = images, Inventory = inventorySummary, Scan = scan, Refresh = refresh,
            VexRematched = rematched, Warnings = warnings,
        };
    }

    /// <summary>Stored VEX documents that named the scan half's images before they were scanned apply now (ADR 110), as after
    /// `triage ingest`. Everything is committed, so nothing here fails the upload: a failure becomes a warning.</summary>
    private async Task<List<string>> RematchVexAsync(string channel, List<string> warnings, CancellationToken ct)
    {
        var lines = new List<string>();
        try
        {
            foreach (var o in await new VexRematch(connectionString, _time).AfterImportsAsync(_time.GetUtcNow(), channel, ct))
            {
                if (o.State == VexRematchState.Matched && o.DecisionsRecorded > 0) lines.Add(o.Describe());
                else if (o.State != VexRematchState.Matched && !o.Repeated) warnings.Add(o.Describe());
                if (o.AuditError is { } error) warnings.Add($"the audit entry of a VEX re-match was not written: {error}");
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            warnings.Add($"stored VEX documents were not matched again ({e.Message}); the file landed");
        }
        return lines;
    }

    /// <summary>The read options an evidence file is read with, at ingest and when verdicts are recomputed from it.</summary>
    internal static RuntimeReadOptions ReadOptions(string? cluster, string? image, ProfileCompleteness? slimCompleteness, string? source, DateTime observedAt,
        EnvironmentRules environments, InventoryCoverage? coverage = null) => new()
        {
            Inventory = new InventoryOptions { Cluster = cluster, ObservedAt = new DateTimeOffset(observedAt, TimeSpan.Zero), Environments = environments, Coverage = coverage },
            SlimProfile = slimCompleteness ?? ProfileCompleteness.Complete,
            SlimImage = image is null ? null : RuntimeImageReference.Parse(image, bareDigestIsImageId: false),
            FileAccessSource = source,
        };

    /// <summary>What the file says per image; refuses a file whose image cannot be known.</summary>
    private static async Task<List<PartPlan>> PlanAsync(RuntimeEvidenceDocument doc, RuntimeImageName? image, byte[] compressed, List<string> warnings, CancellationToken ct)
    {
        var parts = new List<PartPlan>();
        switch (doc.Kind)
        {
            case RuntimeEvidenceKind.KubernetesPods:
            case RuntimeEvidenceKind.TrivyOperatorReport:
                break;
            case RuntimeEvidenceKind.SlimContainerReport:
            {
                var r = doc.SlimContainer!;
                var named = r.Image is { } ri ? RuntimeImageName.From(ri) : null;
                var target = image ?? named ?? throw new ArgumentException(
                    "the slim container report does not name the image it profiled: pass --image REF (the image the findings were scanned in)");
                if (image is not null && named is not null && named.Key != image.Key)
                    warnings.Add($"the report names {named.Reference}; --image {image.Reference} was used");
                var a = r.Accesses;
                parts.Add(new PartPlan(RuntimeEvidencePart.FileAccessProfile, a.Source, target, a.Completeness, a.PartialReason, a.Files.Count,
                    $"{a.Files.Count} files used by {r.ProcessCount} processes" + (r.MainProcess is null ? "" : $", main process {r.MainProcess}")));
                parts.Add(new PartPlan(RuntimeEvidencePart.FileInventory, r.KeptFiles.Source, target, null, null, r.KeptFiles.Files.Count + r.KeptFiles.Links.Count,
                    $"{r.KeptFiles.Files.Count} files and {r.KeptFiles.Links.Count} links kept in the minified image"));
                break;
            }
            case RuntimeEvidenceKind.SlimCommandReport:
            {
                var r = doc.SlimCommand!;
                var target = image ?? (r.OriginalImage is { } oi ? RuntimeImageName.From(oi) : null)
                    ?? throw new ArgumentException("the slim report names no original image: pass --image REF");
                if (r.State is not "done") warnings.Add($"slim report state is '{r.State ?? "missing"}', not 'done': the minified image may be missing or partial");
                parts.Add(new PartPlan(RuntimeEvidencePart.SlimBuild, "slim-report", target, null, null, r.ImageStack.Count,
                    $"{r.Type ?? "build"} {r.State ?? "?"}: {Size(r.OriginalSize)} → {r.MinifiedImage ?? "?"} {Size(r.MinifiedSize)}" +
                    (r.MinifiedBy is { } by ? $" (minified by {by:0.#}×)" : "")));
                break;
            }
            case RuntimeEvidenceKind.FileAccessJsonLines:
            {
                if (doc.FileAccessProfiles.Count == 0) throw new ReportFormatException(ReportErrorCode.Empty, "file-access JSON lines: no file-access records.");
                foreach (var p in doc.FileAccessProfiles)
                {
                    var target = (p.Image is { } pi ? RuntimeImageName.From(pi) : null) ?? image
                        ?? throw new ArgumentException("a file-access profile names no image: pass --image REF");
                    parts.Add(new PartPlan(RuntimeEvidencePart.FileAccessProfile, p.Source, target, p.Completeness, p.PartialReason, p.Files.Count,
                        $"{p.Files.Count} files used" + (p.Completeness == ProfileCompleteness.Partial ? "; partial: proves use, never non-use" : "")));
                }
                break;
            }
            case RuntimeEvidenceKind.Govulncheck:
            {
                var g = doc.Govulncheck!;
                var target = image ?? throw new ArgumentException(
                    "govulncheck output does not name an image: pass --image REF (the image, or the scanned source tree, that holds the Go code)");
                var summary = g.Summarize();
                var level = g.ScanLevel ?? "symbol";
                parts.Add(new PartPlan(RuntimeEvidencePart.CodeReachability, "govulncheck", target, null, null, summary.Count,
                    $"{level}-level {g.ScanMode ?? "source"} scan (govulncheck {g.ScannerVersion ?? "?"}): " +
                    $"{summary.Count(s => s.Level == GoReachLevel.Called)} called, {summary.Count(s => s.Level == GoReachLevel.Imported)} imported, " +
                    $"{summary.Count(s => s.Level == GoReachLevel.Required)} required only"));
                if (!g.SymbolLevel) warnings.Add($"govulncheck scan level '{level}' does not analyse calls: only 'required' results decide");
                break;
            }
            case RuntimeEvidenceKind.PackageFileList:
            {
                var list = doc.PackageFiles!;
                var target = image ?? await PackageListImage.DetectAsync(compressed, ct)
                    ?? throw new ArgumentException("the package list does not name an image by digest or reference: pass --image REF");
                var listed = list.Packages.Count(p => p.Origin == Triage.Core.Runtime.Packages.FileListOrigin.Listed);
                parts.Add(new PartPlan(RuntimeEvidencePart.PackageFileList, "package-list:" + list.Format.ToWire(), target, null, null, list.Packages.Count,
                    $"{listed} of {list.Packages.Count} packages with their own file list"));
                warnings.AddRange(list.Warnings);
                break;
            }
        }
        return parts;
    }

    private static string Size(long? bytes) => bytes is { } b ? CaptureStream.FormatBytes(b) : "?";

    private static string SummaryLine(RuntimeEvidenceDocument doc, List<PartPlan> parts) => doc.Inventory is { } inv
        ? $"{inv.Workloads.Count} workloads in {inv.Workloads.Select(w => w.Namespace).Distinct().Count()} namespaces"
        : string.Join("; ", parts.Select(p => $"{p.Part.ToLabel().ToLowerInvariant()} of {p.Image.Reference}: {p.Detail}"));

    private sealed record ExistingWorkload(long Id, DateTime FirstSeen, DateTime LastSeen);

    /// <summary>One snapshot row, and one row per (workload, container, image), updated by later snapshots.</summary>
    private static async Task<InventorySummary> StoreInventoryAsync(ImportStore store, long fileId, DeploymentInventory inventory, string? cluster, DateTime observedAt,
        ArtifactCatalog catalog, CancellationToken ct)
    {
        var clusterKey = cluster ?? "";
        var snapshotId = (await store.AllocateIdsAsync("RuntimeSnapshots", 1, ct))[0];
        await store.InsertAsync("RuntimeSnapshots", ["Id", "EvidenceFileId", "Source", "Cluster", "ObservedAt", "Workloads", "Coverage", "CoverageScope", "CoverageStated"],
            [[snapshotId, fileId, inventory.Source, clusterKey, observedAt, inventory.Workloads.Count, inventory.Coverage.Kind, inventory.Coverage.Scope, inventory.CoverageStated]], ct);

        var existing = (await SqlSource.Of(store).QueryAsync(
                "SELECT \"Id\", \"Namespace\", \"WorkloadKind\", \"WorkloadName\", \"Container\", \"InitContainer\", \"ImageKey\", \"FirstSeen\", \"LastSeen\" " +
                "FROM \"RuntimeWorkloads\" WHERE \"Cluster\" = @p0",
                r => (Key: (r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetBoolean(5), r.GetString(6)),
                    Row: new ExistingWorkload(r.GetInt64(0), RiskInputLoader.Utc(r.GetDateTime(7)), RiskInputLoader.Utc(r.GetDateTime(8)))), ct, clusterKey))
            .ToDictionary(x => x.Key, x => x.Row);

        var inserts = new List<object?[]>();
        var updates = new List<object?[]>();
        var firstSeenOnly = new List<object?[]>();
        var matched = new HashSet<string>(StringComparer.Ordinal);
        foreach (var w in inventory.Workloads)
        {
            var name = RuntimeImageName.From(w.Image);
            if (catalog.Match(name.Repository, name.Tag, name.Digest, name.ImageId, name.Reference).Count > 0) matched.Add(name.Key);
            var key = (w.Namespace, w.WorkloadKind, w.WorkloadName, w.Container ?? "", w.InitContainer, name.Key);
            var labels = w.Labels.Count == 0 ? null : JsonSerializer.Serialize(new Dictionary<string, string>(w.Labels), Configuration.DataJson.Default.DictionaryStringString);
            DateTime? started = w.StartedAt?.UtcDateTime;
            if (existing.TryGetValue(key, out var row))
            {
                var first = observedAt < row.FirstSeen ? observedAt : row.FirstSeen;
                if (observedAt >= row.LastSeen)
                    updates.Add([w.Environment, w.Replicas, w.Pods, labels, started, first, observedAt, snapshotId, w.WorkloadInferred, name.Reference, name.Repository, name.Tag, row.Id]);
                else firstSeenOnly.Add([first, row.Id]);
            }
            else
            {
                inserts.Add([0L, inventory.Source, clusterKey, w.Namespace, w.WorkloadKind, w.WorkloadName, w.WorkloadInferred, w.Container ?? "", w.InitContainer,
                    name.Key, name.Reference, name.Repository, name.Tag, name.Digest, name.ImageId, w.Environment, w.Replicas, w.Pods, labels, started,
                    observedAt, observedAt, snapshotId]);
                existing[key] = new ExistingWorkload(0, observedAt, observedAt);
            }
        }
        var ids = await store.AllocateIdsAsync("RuntimeWorkloads", inserts.Count, ct);
        for (var i = 0; i < inserts.Count; i++) inserts[i][0] = ids[i];
        await store.InsertAsync("RuntimeWorkloads",
            ["Id", "Source", "Cluster", "Namespace", "WorkloadKind", "WorkloadName", "WorkloadInferred", "Container", "InitContainer", "ImageKey", "ImageReference",
             "Repository", "Tag", "Digest", "ImageId", "Environment", "Replicas", "Pods", "LabelsJson", "StartedAt", "FirstSeen", "LastSeen", "LastSnapshotId"], inserts, ct);
        await store.ExecuteForEachAsync(
            "UPDATE \"RuntimeWorkloads\" SET \"Environment\" = @p0, \"Replicas\" = @p1, \"Pods\" = @p2, \"LabelsJson\" = @p3, \"StartedAt\" = @p4, \"FirstSeen\" = @p5, " +
            "\"LastSeen\" = @p6, \"LastSnapshotId\" = @p7, \"WorkloadInferred\" = @p8, \"ImageReference\" = @p9, \"Repository\" = @p10, \"Tag\" = @p11 WHERE \"Id\" = @p12",
            13, updates, ct);
        await store.ExecuteForEachAsync("UPDATE \"RuntimeWorkloads\" SET \"FirstSeen\" = @p0 WHERE \"Id\" = @p1", 2, firstSeenOnly, ct);

        return new InventorySummary(inventory.Source.ToWire(), cluster, observedAt, inventory.Workloads.Count, inserts.Count,
            inventory.Workloads.Select(w => w.Image.Key).Distinct(StringComparer.Ordinal).Count(),
            inventory.Workloads.Select(w => w.Namespace).Distinct(StringComparer.Ordinal).Count(),
            inventory.Workloads.Select(w => w.Environment).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
            matched.Count, inventory.Coverage.ToWire(), inventory.CoverageBasis);
    }

    private static DateTime Truncate(DateTime t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
}

/// <summary>The image a package list describes, when it says so: Trivy's RepoDigests or ArtifactName, Syft's source,
/// CycloneDX's metadata component.</summary>
internal static class PackageListImage
{
    private const long MaxInspected = 256L * 1024 * 1024;

    public static async Task<RuntimeImageName?> DetectAsync(byte[] gzip, CancellationToken ct)
    {
        await using var input = new GZipStream(new MemoryStream(gzip), CompressionMode.Decompress);
        using var buffer = new MemoryStream();
        await input.CopyToAsync(buffer, ct);
        if (buffer.Length > MaxInspected) return null;
        JsonDocument doc;
        try { doc = JsonDocument.Parse(buffer.ToArray(), new JsonDocumentOptions { MaxDepth = 256 }); }
        catch (JsonException) { return null; }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            foreach (var candidate in Candidates(root))
                if (RuntimeImageName.TryParse(candidate, out var name) && (name!.Digest is not null || name.Tag is not null)) return name;
        }
        return null;
    }

    private static IEnumerable<string> Candidates(JsonElement root)
    {
        // Trivy: Metadata.RepoDigests[], ArtifactName (only for images).
        if (root.TryGetProperty("Metadata", out var meta) && meta.ValueKind == JsonValueKind.Object
            && meta.TryGetProperty("RepoDigests", out var digests) && digests.ValueKind == JsonValueKind.Array)
            foreach (var d in digests.EnumerateArray())
                if (d.ValueKind == JsonValueKind.String) yield return d.GetString()!;
        if (root.TryGetProperty("ArtifactType", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "container_image"
            && root.TryGetProperty("ArtifactName", out var an) && an.ValueKind == JsonValueKind.String)
            yield return an.GetString()!;
        // Syft: source.metadata (or source.target in older schemas) repoDigests[], userInput.
        if (root.TryGetProperty("source", out var source) && source.ValueKind == JsonValueKind.Object)
            foreach (var name in new[] { "metadata", "target" })
                if (source.TryGetProperty(name, out var m) && m.ValueKind == JsonValueKind.Object)
                {
                    if (m.TryGetProperty("repoDigests", out var rd) && rd.ValueKind == JsonValueKind.Array)
                        foreach (var d in rd.EnumerateArray())
                            if (d.ValueKind == JsonValueKind.String) yield return d.GetString()!;
                    if (m.TryGetProperty("userInput", out var ui) && ui.ValueKind == JsonValueKind.String) yield return ui.GetString()!;
                }
        // CycloneDX: metadata.component of type container: name and a version that is a digest or a tag.
        if (root.TryGetProperty("metadata", out var cdx) && cdx.ValueKind == JsonValueKind.Object
            && cdx.TryGetProperty("component", out var c) && c.ValueKind == JsonValueKind.Object
            && c.TryGetProperty("type", out var ct) && ct.GetString() == "container" && c.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String)
        {
            var version = c.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            yield return version is null ? n.GetString()! : RuntimeImageReference.IsDigest(version) ? $"{n.GetString()}@{version}" : $"{n.GetString()}:{version}";
        }
    }
}
