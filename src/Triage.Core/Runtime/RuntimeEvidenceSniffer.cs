using System.Text.Json;
using Triage.Core.Ingest;
using Triage.Core.Runtime.Json;

namespace Triage.Core.Runtime;

/// <summary>The runtime-evidence formats Triage reads.</summary>
public enum RuntimeEvidenceKind
{
    /// <summary>kubectl pod List / kubelet PodList / a single Pod.</summary>
    KubernetesPods,
    /// <summary>trivy-operator VulnerabilityReport (single, List, VulnerabilityReportList).</summary>
    TrivyOperatorReport,
    /// <summary>slim creport.json.</summary>
    SlimContainerReport,
    /// <summary>slim slim.report.json.</summary>
    SlimCommandReport,
    /// <summary>Triage's generic JSON-lines file-access format.</summary>
    FileAccessJsonLines,
    /// <summary>govulncheck JSON: v1 stream, array-wrapped or pre-1.0.</summary>
    Govulncheck,
    /// <summary>Package file lists: Trivy --list-all-pkgs, Syft JSON, CycloneDX.</summary>
    PackageFileList,
}

public static class RuntimeEvidenceKindNames
{
    public static string ToWire(this RuntimeEvidenceKind k) => k switch
    {
        RuntimeEvidenceKind.KubernetesPods => "kubernetes-pods",
        RuntimeEvidenceKind.TrivyOperatorReport => "trivy-operator",
        RuntimeEvidenceKind.SlimContainerReport => "slim-creport",
        RuntimeEvidenceKind.SlimCommandReport => "slim-report",
        RuntimeEvidenceKind.FileAccessJsonLines => "file-access-jsonl",
        RuntimeEvidenceKind.Govulncheck => "govulncheck",
        RuntimeEvidenceKind.PackageFileList => "package-file-list",
    };
}

/// <summary>
/// Tells runtime-evidence formats apart from the first bytes of a file (64 KiB by default), without trusting file
/// names. Property order is not relied on: kubectl writes "items" before "kind", so the first item's kind counts too.
/// </summary>
public static class RuntimeEvidenceSniffer
{
    public const int DefaultHeadSize = 64 * 1024;

    /// <summary>Detects the format from the start of a document. Throws <see cref="ReportFormatException"/> when the head
    /// is empty or matches no known format.</summary>
    public static RuntimeEvidenceKind Sniff(ReadOnlySpan<byte> head)
    {
        if (JsonDocs.IsBlank(head)) throw new ReportFormatException(ReportErrorCode.Empty, "Runtime evidence: the file is empty.");
        // Only the JSON-lines format allows '#' comment lines; nothing else we read can start with one.
        if (FirstNonBlank(head) == (byte)'#') return RuntimeEvidenceKind.FileAccessJsonLines;
        var s = Scan(head);
        var keys = s.RootKeys;

        if (s.RootIsArray)
            return s.FirstElementKeys.Overlaps(GovulncheckMessages)
                ? RuntimeEvidenceKind.Govulncheck
                : throw Unknown("a JSON array whose elements are not govulncheck messages");
        if (keys.Overlaps(GovulncheckMessages)) return RuntimeEvidenceKind.Govulncheck;
        if (keys.Overlaps(GovulncheckLegacy) && (keys.Contains("Vulns") || keys.Contains("Calls"))) return RuntimeEvidenceKind.Govulncheck;
        if (keys.Contains("profile") || (keys.Contains("path") && keys.Contains("op"))) return RuntimeEvidenceKind.FileAccessJsonLines;

        var kind = s.Kind;
        var itemKind = s.FirstItemKind;
        if (kind is "PodList" or "Pod" || (kind is "List" or null && itemKind == "Pod")) return RuntimeEvidenceKind.KubernetesPods;
        if (kind is "VulnerabilityReport" or "VulnerabilityReportList" || (kind is "List" or null && itemKind == "VulnerabilityReport"))
            return RuntimeEvidenceKind.TrivyOperatorReport;
        if (kind is "List" && keys.Contains("items") && itemKind is null && s.Complete)
            return RuntimeEvidenceKind.KubernetesPods; // an empty pod list (kubectl writes the same List shape)

        if (keys.Contains("engine") && (keys.Contains("minified_image") || keys.Contains("image_stack") || keys.Contains("source_image") || keys.Contains("target_reference")))
            return RuntimeEvidenceKind.SlimCommandReport;
        if (keys.Contains("monitors") || (keys.Contains("image") && keys.Contains("system") && !keys.Contains("engine")))
            return RuntimeEvidenceKind.SlimContainerReport;
        if (keys.Contains("bomFormat") || keys.Contains("artifacts") || keys.Contains("SchemaVersion") || (keys.Contains("Results") && keys.Contains("ArtifactName")))
            return RuntimeEvidenceKind.PackageFileList;
        throw Unknown(kind is null ? $"top-level fields {string.Join(", ", keys.Order(StringComparer.Ordinal).Take(8))}" : $"kind '{kind}'");
    }

    private static byte FirstNonBlank(ReadOnlySpan<byte> data)
    {
        var i = data.Length >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF ? 3 : 0;
        for (; i < data.Length; i++)
            if (data[i] is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')) return data[i];
        return 0;
    }

    private static ReportFormatException Unknown(string what) =>
        new(ReportErrorCode.NotAScanReport, $"Runtime evidence: not a recognised format ({what}). Expected a Kubernetes pod list, a trivy-operator VulnerabilityReport, a slim report, file-access JSON lines, govulncheck JSON or a package file list.");

    private static readonly HashSet<string> GovulncheckMessages = new(StringComparer.Ordinal) { "config", "progress", "osv", "finding", "SBOM" };
    private static readonly HashSet<string> GovulncheckLegacy = new(StringComparer.Ordinal) { "Calls", "Imports", "Requires", "Vulns", "Modules" };

    private sealed class ScanResult
    {
        public bool RootIsArray;
        public bool Complete;
        public string? Kind;
        public string? FirstItemKind;
        public HashSet<string> RootKeys { get; } = new(StringComparer.Ordinal);
        public HashSet<string> FirstElementKeys { get; } = new(StringComparer.Ordinal);
    }

    private static ScanResult Scan(ReadOnlySpan<byte> head)
    {
        var result = new ScanResult();
        var start = head.Length >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF ? 3 : 0;
        var reader = new Utf8JsonReader(head[start..], isFinalBlock: false, new JsonReaderState(new JsonReaderOptions { AllowMultipleValues = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 256 }));
        var path = new List<string?>(); // property that opened each container (null for array elements/root)
        string? pendingProperty = null;
        var itemIndex = -1;
        try
        {
            while (reader.Read())
            {
                var depth = reader.CurrentDepth;
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        if (depth == 0 && path.Count == 0 && reader.TokenType == JsonTokenType.StartArray && result.RootKeys.Count == 0) result.RootIsArray = true;
                        if (depth == 1 && path.Count > 0 && path[0] is null && result.RootIsArray) itemIndex++;
                        if (depth == 2 && path.Count > 1 && path[1] == "items") itemIndex++;
                        path.Add(pendingProperty);
                        pendingProperty = null;
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        if (path.Count > 0) path.RemoveAt(path.Count - 1);
                        if (depth == 0)
                        {
                            result.Complete = true;
                            // One complete top-level object is enough to decide, also for JSON lines and govulncheck streams.
                            return result;
                        }
                        break;
                    case JsonTokenType.PropertyName:
                        var name = reader.GetString();
                        pendingProperty = name;
                        if (depth == 1 && !result.RootIsArray && name is not null) result.RootKeys.Add(name);
                        if (depth == 2 && result.RootIsArray && itemIndex == 0 && name is not null) result.FirstElementKeys.Add(name);
                        if (name == "kind" && depth is 1 or 3 && reader.Read())
                        {
                            var value = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                            if (depth == 1 && !result.RootIsArray) result.Kind = value;
                            else if (depth == 3 && itemIndex == 0 && path.Count > 1 && path[1] == "items") result.FirstItemKind ??= value;
                            pendingProperty = null;
                        }
                        break;
                    default:
                        pendingProperty = null;
                        break;
                }
            }
        }
        catch (JsonException ex)
        {
            throw JsonErrors.From(ex, "Runtime evidence");
        }
        return result;
    }
}
