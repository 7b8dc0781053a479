using System.IO.Compression;
using System.Text.Json;
using Triage.Core.Domain;
using Triage.Core.Ingest;
using Triage.Core.Runtime;
using Triage.Core.Runtime.Files;
using Triage.Core.Runtime.Inventory;
using Triage.Core.Runtime.Packages;
using Triage.Core.Runtime.Verdicts;
using Triage.Data.Import;

namespace Triage.Data.Runtime;

/// <summary>
/// Recomputes the runtime verdict of every finding of some artifacts from the evidence stored for their images
/// (<see cref="VerdictEngine"/>). Evidence files are kept compressed and read again here with the options they were
/// ingested with, so evidence that arrived before the scan of its image applies once the scan arrives. File lists
/// come from package lists ingested for the image and from the artifact's own Trivy report (--list-all-pkgs keeps
/// InstalledFiles there).
/// </summary>
internal static class VerdictRefresher
{
    private sealed record EvidenceRow(long Id, long FileId, RuntimeEvidencePart Part, string Source, string Reference, string? Repository, string? Tag,
        string? Digest, string? ImageId);

    private sealed record FindingPackage(long FindingId, long GroupId, PackageRef Package, List<string> Paths);

    private static readonly string[] VerdictColumns =
        ["FindingId", "Verdict", "Confidence", "ProposedJustification", "SourcesJson", "NotesJson", "ComputedAt", "VerdictSince", "FromRunningImage"];

    /// <summary>What a refresh judged, and every artifact whose verdicts it replaced (the scope to score again).</summary>
    public sealed record VerdictRefresh(int Artifacts, List<(long FindingId, long GroupId, ReachabilityVerdict Verdict)> Judged, Dictionary<string, int> Counts,
        IReadOnlyCollection<long> Scope);

    /// <summary>What a refresh of every artifact judged: how many artifacts and findings, and the counts per verdict.</summary>
    public sealed record EverythingRefreshed(int Artifacts, int Findings, Dictionary<string, int> Counts);

    /// <summary>The stored evidence of every image, matched to the artifacts it applies to, and the images that run in place
    /// of artifacts: read once per refresh (it follows the evidence, not the findings).</summary>
    private sealed record StoredEvidence(List<EvidenceRow> Rows, Dictionary<long, List<EvidenceRow>> ByArtifact, Dictionary<long, List<RunningImage>> Replaced)
    {
        public List<EvidenceRow> PackageLists { get; } = Rows.Where(r => r.Part == RuntimeEvidencePart.PackageFileList).ToList();
    }

    /// <summary>What judging some artifacts gave: the verdict rows to write and the findings with their verdicts.</summary>
    private sealed class Judgement
    {
        public int Artifacts { get; set; }
        public List<(long FindingId, long GroupId, ReachabilityVerdict Verdict)> Judged { get; } = [];
        public List<object?[]> Rows { get; } = [];
    }

    /// <summary>
    /// Judges the findings of <paramref name="artifactIds"/>, and of the artifacts whose tag runs with a digest the refresh
    /// concerns: one of <paramref name="artifactIds"/>, or one of <paramref name="listedDigests"/> (a package list just
    /// ingested). After an inventory (<paramref name="inventoryChanged"/>) every artifact judged by a running image's list,
    /// before or now, is judged again.
    /// </summary>
    /// <returns>Judged artifacts, the findings with their verdicts, counts per verdict, and every artifact whose verdicts were
    /// replaced (the scope to score again).</returns>
    public static async Task<VerdictRefresh> RefreshAsync(ImportStore store, IReadOnlyCollection<long> artifactIds, RuntimeSettings settings, DateTime now,
        CancellationToken ct, bool inventoryChanged = false, IReadOnlyCollection<string>? listedDigests = null)
    {
        var sql = SqlSource.Of(store);
        var stored = await LoadEvidenceAsync(store, settings, ct);
        var scope = await ScopeAsync(sql, artifactIds, stored.Replaced, inventoryChanged, listedDigests, ct);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var judgement = await JudgeAsync(store, stored, scope, counts, now, ct);
        await WriteAsync(store, scope, judgement.Rows, now, ct);
        return new VerdictRefresh(judgement.Artifacts, judgement.Judged, counts, scope);
    }

    /// <summary>
    /// Judges every finding that stored evidence applies to (an artifact that has evidence or whose tag runs with another
    /// digest) and withdraws every other verdict, a slice of artifacts at a time: in id order, about
    /// <paramref name="sliceFindings"/> findings per slice (an artifact is never split), each slice judged and written exactly
    /// as <see cref="RefreshAsync"/> judges and writes its artifacts, in the caller's transaction. Nothing a slice judges
    /// depends on the verdicts written before it, so the result is what one pass gives, while memory follows the slice.
    /// </summary>
    /// <param name="judged">Called with each slice's findings and their verdicts once the slice is written.</param>
    public static async Task<EverythingRefreshed> RefreshEverythingAsync(ImportStore store, RuntimeSettings settings, DateTime now, int sliceFindings,
        Func<List<(long FindingId, long GroupId, ReachabilityVerdict Verdict)>, Task> judged, CancellationToken ct)
    {
        var stored = await LoadEvidenceAsync(store, settings, ct);
        var withEvidence = stored.ByArtifact.Keys.Union(stored.Replaced.Keys).ToHashSet();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        int artifacts = 0, findings = 0;
        foreach (var slice in await RiskScorer.ArtifactSlicesAsync(store, sliceFindings, ct))
        {
            var judgement = await JudgeAsync(store, stored, slice.Where(withEvidence.Contains).ToList(), counts, now, ct);
            // Every artifact of the slice, judged or not: a verdict whose evidence no longer applies is withdrawn. Verdicts of
            // findings no artifact holds cannot exist (they cascade), so the slices together cover every stored verdict.
            await WriteAsync(store, slice, judgement.Rows, now, ct);
            artifacts += judgement.Artifacts;
            findings += judgement.Judged.Count;
            await judged(judgement.Judged);
        }
        return new EverythingRefreshed(artifacts, findings, counts);
    }

    private static async Task<StoredEvidence> LoadEvidenceAsync(ImportStore store, RuntimeSettings settings, CancellationToken ct)
    {
        var sql = SqlSource.Of(store);
        var catalog = await ArtifactCatalog.LoadAsync(sql, ct);
        var rows = await sql.QueryAsync(
            "SELECT \"Id\", \"EvidenceFileId\", \"Part\", \"Source\", \"ImageReference\", \"Repository\", \"Tag\", \"Digest\", \"ImageId\" FROM \"RuntimeImageEvidence\" ORDER BY \"Id\"",
            r => new EvidenceRow(r.GetInt64(0), r.GetInt64(1), (RuntimeEvidencePart)r.GetInt32(2), r.GetString(3), r.GetString(4),
                r.IsDBNull(5) ? null : r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8)), ct);
        var byArtifact = new Dictionary<long, List<EvidenceRow>>();
        foreach (var row in rows)
            foreach (var id in catalog.Match(row.Repository, row.Tag, row.Digest, row.ImageId, row.Reference))
            {
                if (!byArtifact.TryGetValue(id, out var list)) byArtifact[id] = list = [];
                list.Add(row);
            }
        return new StoredEvidence(rows, byArtifact, await RunningImages.LoadAsync(sql, catalog, settings, ct));
    }

    /// <summary>Judges the findings of <paramref name="artifacts"/> (in that order) and adds to <paramref name="counts"/>.
    /// Evidence files and file lists read here are kept only for this call.</summary>
    private static async Task<Judgement> JudgeAsync(ImportStore store, StoredEvidence stored, IReadOnlyList<long> artifacts, Dictionary<string, int> counts,
        DateTime now, CancellationToken ct)
    {
        var judgement = new Judgement();
        var documents = new Dictionary<long, RuntimeEvidenceDocument>();
        var ownLists = new Dictionary<long, List<PackageFileIndex>>();
        foreach (var artifactId in artifacts)
        {
            var (evidence, fileLists) = stored.ByArtifact.TryGetValue(artifactId, out var evidenceRows)
                ? await EvidenceAsync(store, evidenceRows, documents, ct)
                : (new RuntimeEvidence(), []);
            var runningNotes = new List<string>();
            if (stored.Replaced.TryGetValue(artifactId, out var images))
                await AddRunningListsAsync(store, images, stored.PackageLists, documents, ownLists, evidence, runningNotes, ct);
            if (evidence.IsEmpty) continue;
            fileLists.AddRange(await OwnFileListsCachedAsync(store, artifactId, ownLists, ct));

            var findings = await FindingsAsync(store, artifactId, ct);
            if (findings.Count == 0) continue;
            judgement.Artifacts++;
            var members = await MembersAsync(store, findings.Select(f => f.GroupId).Distinct().ToList(), ct);
            foreach (var f in findings)
            {
                var result = VerdictEngine.Evaluate(Input(f, fileLists, members), evidence);
                var wire = result.Verdict.ToWire();
                counts[wire] = counts.GetValueOrDefault(wire) + 1;
                judgement.Judged.Add((f.FindingId, f.GroupId, result.Verdict));
                var notes = result.Notes.Concat(runningNotes).ToList();
                judgement.Rows.Add([f.FindingId, result.Verdict, result.Confidence, result.ProposedJustification, SourcesJson(result.Sources),
                    notes.Count == 0 ? null : JsonSerializer.Serialize(notes, Configuration.DataJson.Default.ListString), now, null,
                    FromRunningImage(result.Sources, notes)]);
            }
        }
        return judgement;
    }

    /// <summary>
    /// Replaces the verdicts of the findings of <paramref name="artifacts"/> by <paramref name="rows"/>: evidence that no
    /// longer applies leaves no stale verdict behind. What was replaced or withdrawn is kept with its period, a verdict
    /// judged again the same keeps its moment (ADR 108).
    /// </summary>
    private static async Task WriteAsync(ImportStore store, IReadOnlyCollection<long> artifacts, List<object?[]> rows, DateTime now, CancellationToken ct)
    {
        var old = await RiskPeriods.DeleteReturningAsync(store,
            "DELETE FROM \"FindingVerdicts\" WHERE \"FindingId\" IN (SELECT \"Id\" FROM \"Findings\" WHERE \"ArtifactId\" IN ({keys}))" +
            " RETURNING \"FindingId\", \"Verdict\", \"VerdictSince\"", artifacts, ct);
        var periods = RiskPeriods.Carry(old, rows, idColumn: 0, valueColumn: 1, sinceColumn: 7, RiskPeriods.Kind.Verdict, now);
        await store.InsertAsync("FindingVerdicts", VerdictColumns, rows, ct);
        await RiskPeriods.InsertAsync(store, periods, ct);
    }

    /// <summary>The artifacts to judge: those asked for, widened by the artifacts whose tag runs with a digest the refresh concerns.</summary>
    private static async Task<List<long>> ScopeAsync(SqlSource sql, IReadOnlyCollection<long> artifactIds, Dictionary<long, List<RunningImage>> replaced,
        bool inventoryChanged, IReadOnlyCollection<string>? listedDigests, CancellationToken ct)
    {
        var asked = new HashSet<long>(artifactIds);
        var scope = new HashSet<long>(artifactIds);
        var digests = new HashSet<string>(listedDigests ?? [], StringComparer.Ordinal);
        foreach (var (artifactId, images) in replaced)
            if (images.Any(i => i.Artifacts.Any(asked.Contains) || i.Digests.Any(digests.Contains))) scope.Add(artifactId);
        if (inventoryChanged)
        {
            scope.UnionWith(replaced.Keys);
            // Judged by a running image's list before: that image may no longer run in its place.
            scope.UnionWith(await sql.QueryAsync(JudgedByRunningImagesSql, r => r.GetInt64(0), ct));
        }
        return scope.Order().ToList();
    }

    /// <summary>The artifacts with a verdict judged by a running image's list: the few such verdicts come from their partial
    /// index, not from a read of every verdict (ADR 112). Written as IN so that SQLite starts from them: a join, without
    /// statistics, starts from Findings (in ArtifactId order, for the DISTINCT) and probes every verdict.</summary>
    internal const string JudgedByRunningImagesSql =
        "SELECT DISTINCT \"ArtifactId\" FROM \"Findings\" WHERE \"Id\" IN (SELECT \"FindingId\" FROM \"FindingVerdicts\" WHERE \"FromRunningImage\")";

    /// <summary>The source name prefix of claims from a running image's package list (<see cref="VerdictEngine"/>).</summary>
    private const string RunningSource = "running-image-packages:";
    /// <summary>Every note about a running image's package list says "the running image" or "runs under".</summary>
    private const string RunningNote = "running image";

    /// <summary>Whether a verdict was judged with a running image's package list (<see cref="FindingVerdict.FromRunningImage"/>):
    /// one of its claims comes from such a list, or one of its notes speaks of the running image. The same test the refresh
    /// once ran in SQL over the stored JSON, and the one the migration that added the column backfilled with (ADR 112).
    /// Case-insensitive, as SQLite's LIKE was: a note that starts a sentence with "Running image" is marked too (a wider
    /// mark only brings an artifact into the refresh after an inventory, never leaves one out).</summary>
    internal static bool FromRunningImage(IReadOnlyList<VerdictSource> sources, IReadOnlyList<string> notes) =>
        sources.Any(s => s.Source.Contains(RunningSource, StringComparison.OrdinalIgnoreCase))
        || notes.Any(n => n.Contains(RunningNote, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The package lists of the images that run in place of an artifact (<see cref="RunningImage"/>): package lists ingested
    /// for their digest, and the newest Trivy --list-all-pkgs report of a scanned artifact that is that digest. When one
    /// of them has none, no list is used (the package may be in that one) and a note says so.
    /// </summary>
    private static async Task AddRunningListsAsync(ImportStore store, List<RunningImage> images, List<EvidenceRow> packageLists,
        Dictionary<long, RuntimeEvidenceDocument> documents, Dictionary<long, List<PackageFileIndex>> ownLists, RuntimeEvidence evidence, List<string> notes,
        CancellationToken ct)
    {
        var found = new List<PackageFileIndex>();
        foreach (var image in images)
        {
            var lists = new List<PackageFileIndex>();
            foreach (var row in packageLists.Where(r => (r.Digest is { } d && image.Digests.Contains(d)) || (r.ImageId is { } i && image.Digests.Contains(i))))
            {
                if (!documents.TryGetValue(row.FileId, out var doc))
                {
                    doc = await ReadStoredAsync(store, row.FileId, ct);
                    if (doc is null) continue;
                    documents[row.FileId] = doc;
                }
                if (doc.PackageFiles is { } list && !lists.Contains(list)) lists.Add(list);
            }
            foreach (var artifactId in image.Artifacts)
                lists.AddRange(await OwnFileListsCachedAsync(store, artifactId, ownLists, ct));
            if (lists.Count == 0)
            {
                notes.Add($"{image.Name} runs under this image's tag, and Triage holds no package list of it (a Trivy --list-all-pkgs scan, a Syft or " +
                          "CycloneDX SBOM): the running image's packages are not known");
                return;
            }
            foreach (var list in lists)
            {
                list.Image = image.Name;
                found.Add(list);
            }
        }
        notes.Add($"no current workload runs this digest; {string.Join(", ", images.Select(i => i.Name))} runs under its tag: judged by the running image's package list");
        foreach (var list in found) evidence.Add(list);
    }

    private static async Task<List<PackageFileIndex>> OwnFileListsCachedAsync(ImportStore store, long artifactId, Dictionary<long, List<PackageFileIndex>> cache, CancellationToken ct)
    {
        if (!cache.TryGetValue(artifactId, out var lists)) cache[artifactId] = lists = await OwnFileListsAsync(store, artifactId, ct);
        return lists;
    }

    /// <summary>The artifacts the stored evidence of one file applies to (for summaries and for the refresh after an ingest).</summary>
    public static async Task<Dictionary<long, List<long>>> ArtifactsOfFileAsync(ImportStore store, long fileId, CancellationToken ct)
    {
        var catalog = await ArtifactCatalog.LoadAsync(SqlSource.Of(store), ct);
        var rows = await SqlSource.Of(store).QueryAsync(
            "SELECT \"Id\", \"Repository\", \"Tag\", \"Digest\", \"ImageId\", \"ImageReference\" FROM \"RuntimeImageEvidence\" WHERE \"EvidenceFileId\" = @p0 ORDER BY \"Id\"",
            r => (Id: r.GetInt64(0), Repository: r.IsDBNull(1) ? null : r.GetString(1), Tag: r.IsDBNull(2) ? null : r.GetString(2),
                Digest: r.IsDBNull(3) ? null : r.GetString(3), ImageId: r.IsDBNull(4) ? null : r.GetString(4), Reference: r.GetString(5)), ct, fileId);
        return rows.ToDictionary(r => r.Id, r => catalog.Match(r.Repository, r.Tag, r.Digest, r.ImageId, r.Reference).ToList());
    }

    private static VerdictInput Input(FindingPackage f, List<PackageFileIndex> fileLists, Dictionary<long, List<string>> members)
    {
        var own = PackageFiles.For(f.Package, [], f.Paths);
        var files = own;
        if (own.Origin != FileListOrigin.Listed)
            foreach (var index in fileLists)
                if (index.Find(f.Package) is { Origin: FileListOrigin.Listed or FileListOrigin.ManifestPath } listed
                    && (files == own || (listed.Origin == FileListOrigin.Listed && files.Origin != FileListOrigin.Listed)))
                    files = listed;
        return new VerdictInput(files, members.TryGetValue(f.GroupId, out var ids) ? ids : []);
    }

    /// <summary>Core evidence for one artifact from its matching rows (file access, inventories, govulncheck), and the
    /// package lists that came with it.</summary>
    private static async Task<(RuntimeEvidence Evidence, List<PackageFileIndex> FileLists)> EvidenceAsync(ImportStore store, List<EvidenceRow> rows,
        Dictionary<long, RuntimeEvidenceDocument> documents, CancellationToken ct)
    {
        var evidence = new RuntimeEvidence();
        var fileLists = new List<PackageFileIndex>();
        var added = new HashSet<object>(ReferenceEqualityComparer.Instance);
        foreach (var row in rows)
        {
            if (!documents.TryGetValue(row.FileId, out var doc))
            {
                doc = await ReadStoredAsync(store, row.FileId, ct);
                if (doc is null) continue;
                documents[row.FileId] = doc;
            }
            switch (row.Part)
            {
                case RuntimeEvidencePart.FileAccessProfile:
                    var profile = doc.SlimContainer?.Accesses
                        ?? doc.FileAccessProfiles.FirstOrDefault(p => p.Image?.Reference == row.Reference)
                        ?? doc.FileAccessProfiles.FirstOrDefault(p => p.Image is null);
                    if (profile is not null && added.Add(profile)) evidence.Add(profile);
                    break;
                case RuntimeEvidencePart.FileInventory:
                    if (doc.SlimContainer?.KeptFiles is { } kept && added.Add(kept)) evidence.Add(kept);
                    break;
                case RuntimeEvidencePart.CodeReachability:
                    if (doc.Govulncheck is { } go && added.Add(go)) evidence.Add(go);
                    break;
                case RuntimeEvidencePart.PackageFileList:
                    if (doc.PackageFiles is { } list && added.Add(list)) fileLists.Add(list);
                    break;
                case RuntimeEvidencePart.SlimBuild:
                    break; // before/after sizes only: nothing to judge packages by
            }
        }
        return (evidence, fileLists);
    }

    /// <summary>Reads a stored evidence file again with the options it was ingested with.</summary>
    internal static async Task<RuntimeEvidenceDocument?> ReadStoredAsync(ImportStore store, long fileId, CancellationToken ct)
    {
        var file = (await SqlSource.Of(store).QueryAsync(
            "SELECT \"Content\", \"Cluster\", \"Image\", \"Completeness\", \"Source\", \"ObservedAt\", \"Coverage\" FROM \"RuntimeEvidenceFiles\" WHERE \"Id\" = @p0",
            r => (Content: r.IsDBNull(0) ? null : (byte[])r.GetValue(0), Cluster: r.IsDBNull(1) ? null : r.GetString(1), Image: r.IsDBNull(2) ? null : r.GetString(2),
                Completeness: r.IsDBNull(3) ? (ProfileCompleteness?)null : (ProfileCompleteness)r.GetInt32(3), Source: r.IsDBNull(4) ? null : r.GetString(4),
                ObservedAt: RiskInputLoader.Utc(r.GetDateTime(5)), Coverage: r.IsDBNull(6) ? null : r.GetString(6)), ct, fileId)).SingleOrDefault();
        if (file.Content is null) return null;
        InventoryCoverage.TryParse(file.Coverage, out var coverage, out _);
        var options = RuntimeIngestService.ReadOptions(file.Cluster, file.Image, file.Completeness, file.Source, file.ObservedAt, EnvironmentRules.Default, coverage);
        await using var gzip = new GZipStream(new MemoryStream(file.Content), CompressionMode.Decompress);
        return await RuntimeEvidenceReader.ReadAsync(gzip, options, ct);
    }

    /// <summary>File lists from the newest Trivy report that describes only this artifact (Trivy --list-all-pkgs).</summary>
    private static async Task<List<PackageFileIndex>> OwnFileListsAsync(ImportStore store, long artifactId, CancellationToken ct)
    {
        var raw = await SqlSource.Of(store).QueryAsync(
            "SELECT rr.\"Content\" FROM \"RawReports\" rr WHERE rr.\"Content\" IS NOT NULL AND rr.\"Scanner\" = 'trivy' " +
            "AND rr.\"Id\" IN (SELECT s.\"RawReportId\" FROM \"Scans\" s WHERE s.\"ArtifactId\" = @p0) " +
            "AND NOT EXISTS (SELECT 1 FROM \"Scans\" o WHERE o.\"RawReportId\" = rr.\"Id\" AND o.\"ArtifactId\" <> @p0) " +
            "ORDER BY rr.\"Id\" DESC LIMIT 1",
            r => (byte[])r.GetValue(0), ct, artifactId);
        if (raw.Count == 0) return [];
        try
        {
            await using var gzip = new GZipStream(new MemoryStream(raw[0]), CompressionMode.Decompress);
            var index = await PackageFileListParser.ParseAsync(gzip, cancellationToken: ct);
            return index.Packages.Count > 0 ? [index] : [];
        }
        catch (Exception e) when (e is ReportFormatException or InvalidDataException)
        {
            // A trivy-operator report is stored as a Trivy scan but is no package list, and a raw report may have been
            // stored without its content (tests, purges): there is simply no file list from it.
            return [];
        }
    }

    private static async Task<List<FindingPackage>> FindingsAsync(ImportStore store, long artifactId, CancellationToken ct) =>
        await SqlSource.Of(store).QueryAsync(
            "SELECT f.\"Id\", f.\"GroupId\", p.\"Type\", p.\"Namespace\", p.\"Name\", p.\"Version\", p.\"Purl\", p.\"Key\", ap.\"Paths\" " +
            "FROM \"Findings\" f JOIN \"Packages\" p ON p.\"Id\" = f.\"PackageId\" " +
            "LEFT JOIN \"ArtifactPackages\" ap ON ap.\"ArtifactId\" = f.\"ArtifactId\" AND ap.\"PackageId\" = f.\"PackageId\" " +
            "WHERE f.\"ArtifactId\" = @p0 ORDER BY f.\"Id\"",
            r => new FindingPackage(r.GetInt64(0), r.GetInt64(1),
                new PackageRef(r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), r.GetString(4), r.GetString(5), r.IsDBNull(6) ? r.GetString(7) : r.GetString(6)),
                r.IsDBNull(8) ? [] : Configuration.StringListJsonConverter.Deserialize(r.GetString(8))), ct, artifactId);

    private static async Task<Dictionary<long, List<string>>> MembersAsync(ImportStore store, List<long> groups, CancellationToken ct)
    {
        var rows = await SqlSource.Of(store).QueryByKeysAsync("SELECT \"GroupId\", \"VulnId\" FROM \"Vulnerabilities\" WHERE \"GroupId\" IN ({keys})", groups,
            r => (Group: r.GetInt64(0), Id: r.GetString(1)), ct);
        return rows.GroupBy(r => r.Group).ToDictionary(g => g.Key, g => g.Select(x => x.Id).ToList());
    }

    internal static string SourcesJson(IReadOnlyList<VerdictSource> sources)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartArray();
            foreach (var s in sources)
            {
                w.WriteStartObject();
                w.WriteString("source", s.Source);
                w.WriteString("verdict", s.Supports.ToWire());
                w.WriteString("confidence", s.Confidence.ToWire());
                w.WriteString("detail", s.Detail);
                if (s.Justification is { } j) w.WriteString("justification", j.ToWire());
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(ms.ToArray());
    }

    internal static List<VerdictSource> ParseSources(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var list = new List<VerdictSource>();
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            VerdictNames.TryParse(e.GetProperty("verdict").GetString(), out var verdict);
            var confidence = e.GetProperty("confidence").GetString() switch { "high" => VerdictConfidence.High, "medium" => VerdictConfidence.Medium, _ => VerdictConfidence.Low };
            ProposedJustification? justification = e.TryGetProperty("justification", out var j) ? j.GetString() switch
            {
                "component_not_present" => ProposedJustification.ComponentNotPresent,
                "vulnerable_code_not_present" => ProposedJustification.VulnerableCodeNotPresent,
                "vulnerable_code_not_in_execute_path" => ProposedJustification.VulnerableCodeNotInExecutePath,
                _ => null,
            } : null;
            list.Add(new VerdictSource(e.GetProperty("source").GetString() ?? "", verdict, confidence, e.GetProperty("detail").GetString() ?? "", justification));
        }
        return list;
    }
}
