using System.Text.Json;
using Triage.Core.Domain;
using Triage.Core.Runtime.Files;
using Triage.Core.Runtime.Inventory;
using Triage.Data.Import;

namespace Triage.Data.Runtime;

/// <summary>How one runtime-evidence file is read: the CLI flags and API query parameters of `runtime ingest`.</summary>
public sealed record RuntimeIngestOptions
{
    /// <summary>Cluster name for inventories (pod lists and trivy-operator reports do not carry one).</summary>
    public string? Cluster { get; init; }
    /// <summary>The image the evidence describes, for formats that do not name it (old slim reports, govulncheck,
    /// package lists, file-access lines without an image), or to correct the one they name.</summary>
    public string? Image { get; init; }
    /// <summary>Completeness of a slim container report's profile; null keeps slim's default (complete).</summary>
    public ProfileCompleteness? SlimCompleteness { get; init; }
    /// <summary>Source name for file-access JSON lines without a header ("tetragon", "strace"…).</summary>
    public string? Source { get; init; }
    /// <summary>What an inventory covers (the whole cluster, some namespaces, a node, only what it lists); null: derived
    /// from the list (docs/decisions/109-inventory-coverage.md).</summary>
    public InventoryCoverage? Coverage { get; init; }
    /// <summary>When the snapshot was taken; default: now.</summary>
    public DateTimeOffset? ObservedAt { get; init; }
    public string? ImportedBy { get; init; }
    public long MaxBytes { get; init; } = ImportOptions.DefaultMaxBytes;
    /// <summary>Where the file came from, for the audit entry of a VEX re-match its scan half may start (ADR 110).</summary>
    public string AuditChannel { get; init; } = Triage.Core.Audit.AuditChannels.Cli;
}

/// <summary>What one evidence file says about one image, and which scanned artifacts that image is.</summary>
public sealed record RuntimeImageSummary(string Image, RuntimeEvidencePart Part, string Source, ProfileCompleteness? Completeness, string? PartialReason,
    int Items, string? Detail, IReadOnlyList<string> MatchedImages);

/// <summary>What an inventory added: workloads seen, how many were new, where, and what the inventory covers.</summary>
/// <param name="Coverage">Wire form: cluster, namespaces:a,b, node:NAME, partial.</param>
/// <param name="CoverageBasis">"stated by the uploader" or what the list showed ("a kubelet /pods list of node n1").</param>
public sealed record InventorySummary(string Source, string? Cluster, DateTime ObservedAt, int Workloads, int NewWorkloads, int Images, int Namespaces,
    IReadOnlyList<string> Environments, int MatchedImages, string Coverage, string CoverageBasis);

/// <summary>What recomputing verdicts and scores did.</summary>
/// <param name="ReReviewFlagged">VEX decisions flagged because new evidence contradicts their justification.</param>
public sealed record RiskRefreshResult(int ArtifactsJudged, int FindingsJudged, int FindingsScored, IReadOnlyDictionary<string, int> Verdicts, long ElapsedMs,
    int ReReviewFlagged = 0)
{
    public static RiskRefreshResult None { get; } = new(0, 0, 0, new Dictionary<string, int>(), 0);
}

/// <summary>What one `runtime ingest` did: the contract of `triage runtime ingest --json` and POST /api/v1/runtime.</summary>
public sealed record RuntimeIngestSummary
{
    public required string File { get; init; }
    /// <summary>Format wire name: kubernetes-pods, trivy-operator, slim-creport, slim-report, file-access-jsonl, govulncheck, package-file-list.</summary>
    public required string Kind { get; init; }
    public required string Sha256 { get; init; }
    /// <summary>True when the same bytes were ingested before with the same options; nothing changed.</summary>
    public bool Duplicate { get; init; }
    public IReadOnlyList<RuntimeImageSummary> Images { get; init; } = [];
    public InventorySummary? Inventory { get; init; }
    /// <summary>The scan half of a trivy-operator report, imported like `triage ingest`.</summary>
    public ImportSummary? Scan { get; init; }
    public RiskRefreshResult Refresh { get; init; } = RiskRefreshResult.None;
    /// <summary>Stored VEX documents matched again after the scan half created findings or named an image anew (ADR 110):
    /// one line per document that recorded decisions, was skipped or failed.</summary>
    public IReadOnlyList<string> VexRematched { get; init; } = [];
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>Wire names of <see cref="RuntimeEvidencePart"/>.</summary>
public static class RuntimeEvidencePartNames
{
    public static string ToWire(this RuntimeEvidencePart p) => p switch
    {
        RuntimeEvidencePart.FileAccessProfile => "file-access-profile",
        RuntimeEvidencePart.FileInventory => "file-inventory",
        RuntimeEvidencePart.CodeReachability => "code-reachability",
        RuntimeEvidencePart.PackageFileList => "package-file-list",
        RuntimeEvidencePart.SlimBuild => "slim-build",
    };

    /// <summary>What people see for the part.</summary>
    public static string ToLabel(this RuntimeEvidencePart p) => p switch
    {
        RuntimeEvidencePart.FileAccessProfile => "Files used at runtime",
        RuntimeEvidencePart.FileInventory => "Files in the image",
        RuntimeEvidencePart.CodeReachability => "Code reachability",
        RuntimeEvidencePart.PackageFileList => "Package file list",
        RuntimeEvidencePart.SlimBuild => "slim build",
    };
}

/// <summary>The runtime-ingest summary as JSON, shared by the CLI and the API.</summary>
public static class RuntimeJson
{
    public static void Write(Utf8JsonWriter w, RuntimeIngestSummary s)
    {
        w.WriteStartObject();
        w.WriteString("file", s.File);
        w.WriteString("kind", s.Kind);
        w.WriteString("sha256", s.Sha256);
        w.WriteBoolean("duplicate", s.Duplicate);
        w.WriteStartArray("images");
        foreach (var i in s.Images)
        {
            w.WriteStartObject();
            w.WriteString("image", i.Image);
            w.WriteString("part", i.Part.ToWire());
            w.WriteString("source", i.Source);
            if (i.Completeness is { } c) w.WriteString("completeness", c.ToWire());
            else w.WriteNull("completeness");
            w.WriteString("partialReason", i.PartialReason);
            w.WriteNumber("items", i.Items);
            w.WriteString("detail", i.Detail);
            w.WriteStartArray("matchedImages");
            foreach (var m in i.MatchedImages) w.WriteStringValue(m);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (s.Inventory is { } inv)
        {
            w.WriteStartObject("inventory");
            w.WriteString("source", inv.Source);
            w.WriteString("cluster", inv.Cluster);
            w.WriteString("observedAt", inv.ObservedAt);
            w.WriteNumber("workloads", inv.Workloads);
            w.WriteNumber("newWorkloads", inv.NewWorkloads);
            w.WriteNumber("images", inv.Images);
            w.WriteNumber("namespaces", inv.Namespaces);
            w.WriteStartArray("environments");
            foreach (var e in inv.Environments) w.WriteStringValue(e);
            w.WriteEndArray();
            w.WriteNumber("matchedImages", inv.MatchedImages);
            w.WriteString("coverage", inv.Coverage);
            w.WriteString("coverageBasis", inv.CoverageBasis);
            w.WriteEndObject();
        }
        else w.WriteNull("inventory");
        if (s.Scan is { } scan)
        {
            w.WritePropertyName("scan");
            ImportJson.Write(w, scan);
        }
        else w.WriteNull("scan");
        WriteRefresh(w, s.Refresh);
        w.WriteStartArray("vexRematched");
        foreach (var line in s.VexRematched) w.WriteStringValue(line);
        w.WriteEndArray();
        w.WriteStartArray("warnings");
        foreach (var warning in s.Warnings) w.WriteStringValue(warning);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    internal static void WriteRefresh(Utf8JsonWriter w, RiskRefreshResult r)
    {
        w.WriteStartObject("refresh");
        w.WriteNumber("artifactsJudged", r.ArtifactsJudged);
        w.WriteNumber("findingsJudged", r.FindingsJudged);
        w.WriteNumber("findingsScored", r.FindingsScored);
        w.WriteStartObject("verdicts");
        foreach (var (k, v) in r.Verdicts.OrderBy(kv => kv.Key, StringComparer.Ordinal)) w.WriteNumber(k, v);
        w.WriteEndObject();
        w.WriteNumber("reReviewFlagged", r.ReReviewFlagged);
        w.WriteNumber("elapsedMs", r.ElapsedMs);
        w.WriteEndObject();
    }

    /// <summary>One line for people.</summary>
    public static string Describe(RuntimeIngestSummary s)
    {
        if (s.Duplicate) return $"{s.File}: already ingested (same bytes and options, sha256 {s.Sha256[..12]}…); nothing changed";
        var parts = new List<string>();
        if (s.Inventory is { } inv)
            parts.Add($"{inv.Workloads} workloads ({inv.NewWorkloads} new) running {inv.Images} images in {inv.Namespaces} namespaces" +
                      (inv.Cluster is null ? "" : $" of cluster {inv.Cluster}") + $", {inv.MatchedImages} of them scanned; covers {inv.Coverage} ({inv.CoverageBasis})");
        if (s.Scan is { } scan) parts.Add($"scan results: {scan.Observations} observations, {scan.Findings} findings ({scan.NewFindings} new)");
        foreach (var i in s.Images)
            parts.Add($"{i.Part.ToLabel().ToLowerInvariant()} of {i.Image} ({i.Items} items{(i.Completeness is { } c ? ", " + c.ToWire() : "")})" +
                      (i.MatchedImages.Count == 0 ? ", no scanned image matches yet" : $" → {string.Join(", ", i.MatchedImages)}"));
        var refresh = s.Refresh.FindingsJudged > 0 || s.Refresh.FindingsScored > 0
            ? "; " + (s.Refresh.FindingsJudged > 0
                  ? $"{s.Refresh.FindingsJudged} verdicts ({string.Join(", ", s.Refresh.Verdicts.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Value} {kv.Key}"))}), "
                  : "") + $"{s.Refresh.FindingsScored} findings scored"
            : "";
        var rematched = s.VexRematched.Count == 0 ? "" : "; " + string.Join("; ", s.VexRematched);
        return $"{s.File}: {s.Kind} → {string.Join("; ", parts)}{refresh}{rematched}";
    }
}
