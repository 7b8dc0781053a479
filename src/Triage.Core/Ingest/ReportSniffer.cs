using System.Text.Json;
using Triage.Core.Domain;
using Triage.Core.Ingest.Json;

namespace Triage.Core.Ingest;

/// <summary>What the head of a report looks like.</summary>
public enum SniffKind
{
    /// <summary>Valid JSON so far, but nothing tells which scanner wrote it (e.g. <c>{}</c> or <c>[]</c>).</summary>
    Unknown,
    Trivy,
    Grype,
    Snyk,
    /// <summary>Snyk's <c>{"ok": false, "error": …}</c> object: the scan failed.</summary>
    SnykError,
    /// <summary>The literal <c>null</c> (old Trivy versions write it when there is nothing to report).</summary>
    Null,
    /// <summary>Another kind of JSON document (CycloneDX, SPDX, SARIF, OpenVEX, CSAF).</summary>
    NotAScanReport,
}

/// <param name="Kind">What the head looks like.</param>
/// <param name="Detail">For <see cref="SniffKind.NotAScanReport"/> and <see cref="SniffKind.Unknown"/>: what the document is
/// ("a CycloneDX document"); for <see cref="SniffKind.SnykError"/>: Snyk's error text.</param>
public sealed record SniffResult(SniffKind Kind, string? Detail = null)
{
    public ScannerKind? Scanner => Kind switch
    {
        SniffKind.Trivy => ScannerKind.Trivy,
        SniffKind.Grype => ScannerKind.Grype,
        SniffKind.Snyk or SniffKind.SnykError => ScannerKind.Snyk,
        SniffKind.Unknown or SniffKind.Null or SniffKind.NotAScanReport => null,
    };
}

/// <summary>
/// Tells from the first 64 KiB of a report which scanner wrote it, by the property names of its root (and of the first
/// record, since Snyk and Grype put their large arrays first). Rules and their reasons: docs/decisions/011-parsers-sniffing.md.
/// Reads no further than the head; throws <see cref="ReportFormatException"/> for empty, malformed or too deep input.
/// </summary>
public static class ReportSniffer
{
    public const int HeadSize = 64 * 1024;

    /// <summary>Reads the head of <paramref name="stream"/>, sniffs it, and returns a stream that replays the head and
    /// then continues with the rest (the caller parses that one).</summary>
    public static async Task<(SniffResult Result, Stream Replay)> SniffAsync(Stream stream, ParseOptions options, CancellationToken ct = default)
    {
        var head = new byte[HeadSize];
        var n = 0;
        while (n < head.Length)
        {
            var read = await stream.ReadAsync(head.AsMemory(n), ct).ConfigureAwait(false);
            if (read == 0) break;
            n += read;
        }
        var complete = n < head.Length;
        var result = Sniff(head.AsSpan(0, n), complete, options.MaxDepth);
        return (result, new ReplayStream(head.AsMemory(0, n), stream));
    }

    /// <param name="head">The first bytes of the report.</param>
    /// <param name="isComplete">True when <paramref name="head"/> is the whole report.</param>
    public static SniffResult Sniff(ReadOnlySpan<byte> head, bool isComplete, int maxDepth = 64)
    {
        if (head.StartsWith("\uFEFF"u8)) head = head[3..];
        if (head.TrimStart(" \t\r\n"u8).IsEmpty)
        {
            if (isComplete)
                throw new ReportFormatException(ReportErrorCode.Empty, head.IsEmpty ? "the file is empty" : "the file contains only whitespace");
            return new SniffResult(SniffKind.Unknown, "a file that starts with 64 KiB of whitespace");
        }

        var names = new Evidence();
        var reader = new Utf8JsonReader(head, isComplete, new JsonReaderState(new JsonReaderOptions { MaxDepth = maxDepth + 1 }));
        var rootType = JsonTokenType.None;
        // Which container the reader is in: the root, the root array's first element, or the first element of the
        // root object's "matches" / "vulnerabilities" / "Results" array.
        var elementIndexAtDepth1 = -1;
        string? rootArrayName = null;
        var rootArrayElement = -1;
        string? lastRootName = null;
        try
        {
            while (reader.Read())
            {
                var depth = reader.CurrentDepth;
                var type = reader.TokenType;
                if (type is JsonTokenType.StartObject or JsonTokenType.StartArray && depth >= maxDepth)
                {
                    var (line, col) = Position(head, reader.TokenStartIndex);
                    throw new ReportFormatException(ReportErrorCode.TooDeep, $"the JSON is nested deeper than {maxDepth} levels", line, col);
                }
                if (depth == 0 && rootType == JsonTokenType.None) rootType = type;

                if (rootType == JsonTokenType.StartArray)
                {
                    if (depth == 1 && type is not (JsonTokenType.EndArray)) elementIndexAtDepth1++;
                    if (depth == 1 && elementIndexAtDepth1 == 0 && type != JsonTokenType.StartObject && names.FirstElementType == JsonTokenType.None)
                        names.FirstElementType = type;
                    if (depth == 1 && elementIndexAtDepth1 == 0 && type == JsonTokenType.StartObject) names.FirstElementType = type;
                    if (depth == 2 && elementIndexAtDepth1 == 0 && type == JsonTokenType.PropertyName) names.AddElement(reader.GetString()!);
                }
                else if (rootType == JsonTokenType.StartObject)
                {
                    if (depth == 1 && type == JsonTokenType.PropertyName)
                    {
                        lastRootName = reader.GetString()!;
                        names.AddRoot(lastRootName);
                    }
                    else if (depth == 1 && lastRootName is not null)
                    {
                        if (type == JsonTokenType.String) names.RootString(lastRootName, reader.GetString()!);
                        if (type == JsonTokenType.StartArray) { rootArrayName = lastRootName; rootArrayElement = -1; }
                        else rootArrayName = null;
                    }
                    else if (depth == 2 && rootArrayName is not null && type is not JsonTokenType.EndArray)
                    {
                        rootArrayElement++;
                    }
                    else if (depth == 3 && rootArrayName is not null && rootArrayElement == 0 && type == JsonTokenType.PropertyName)
                    {
                        names.AddNested(rootArrayName, reader.GetString()!);
                    }
                }
                if (names.Decisive) break;
            }
        }
        catch (JsonException e)
        {
            if (isComplete && IsValidPrefix(head))
            {
                var (line, col) = Position(head, head.Length);
                throw new ReportFormatException(ReportErrorCode.Truncated, JsonErrors.TruncatedMessage, line, col, e);
            }
            throw JsonErrors.FromJsonException(e, head, atFileStart: true);
        }
        catch (InvalidOperationException e)
        {
            // GetString on a property name with invalid UTF-8.
            throw new ReportFormatException(ReportErrorCode.InvalidJson, "the report is not valid UTF-8 text", inner: e);
        }

        return rootType switch
        {
            JsonTokenType.Null => new SniffResult(SniffKind.Null),
            JsonTokenType.StartObject => names.DecideObject(),
            JsonTokenType.StartArray => names.DecideArray(),
            JsonTokenType.String => new SniffResult(SniffKind.NotAScanReport, "a JSON string"),
            JsonTokenType.Number => new SniffResult(SniffKind.NotAScanReport, "a JSON number"),
            JsonTokenType.True or JsonTokenType.False => new SniffResult(SniffKind.NotAScanReport, "a JSON boolean"),
            _ => isComplete
                ? throw new ReportFormatException(ReportErrorCode.Truncated, JsonErrors.TruncatedMessage)
                : new SniffResult(SniffKind.Unknown),
        };
    }

    private static bool IsValidPrefix(ReadOnlySpan<byte> head)
    {
        var r = new Utf8JsonReader(head, isFinalBlock: false, new JsonReaderState(new JsonReaderOptions { MaxDepth = int.MaxValue / 2 }));
        try
        {
            while (r.Read()) { }
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static (long Line, long Byte) Position(ReadOnlySpan<byte> head, long index)
    {
        var before = head[..(int)Math.Min(index, head.Length)];
        var last = before.LastIndexOf((byte)'\n');
        return (before.Count((byte)'\n') + 1, before.Length - (last + 1));
    }

    /// <summary>Property names seen, scored per scanner. Names are case-sensitive: Trivy writes Go field names
    /// (SchemaVersion, Results), Grype and Snyk camelCase.</summary>
    private sealed class Evidence
    {
        private int _trivy, _grype, _snyk;
        private string? _other;
        private bool _snykOk, _snykError, _snykVulnerabilities;
        private string? _errorText;
        private bool _cdxVulnerabilities;
        public JsonTokenType FirstElementType { get; set; }
        private bool _anyRootName, _anyElementName;

        /// <summary>Once another document kind is certain, reading further cannot change the answer.</summary>
        public bool Decisive => _other is not null;

        public void AddRoot(string name)
        {
            _anyRootName = true;
            switch (name)
            {
                case "SchemaVersion" or "ArtifactName" or "ArtifactType" or "Results" or "ClusterName" or "Resources" or "Findings":
                    _trivy += 2; break;
                case "Metadata" or "Misconfigurations" or "Vulnerabilities" or "CreatedAt" or "ReportID" or "Trivy":
                    _trivy += 1; break;
                case "matches" or "ignoredMatches" or "alertsByPackage" or "descriptor" or "distro":
                    _grype += 2; break;
                case "source":
                    _grype += 1; break;
                case "ok":
                    _snykOk = true; _snyk += 1; break;
                case "error":
                    _snykError = true; break;
                case "vulnerabilities":
                    _snykVulnerabilities = true; _snyk += 1; break;
                case "dependencyCount" or "packageManager" or "projectName" or "uniqueCount" or "licensesPolicy" or "applications" or "displayTargetFile" or "filesystemPolicy":
                    _snyk += 2; break;
                case "bomFormat":
                    _other = "a CycloneDX document"; break;
                case "spdxVersion" or "SPDXID":
                    _other = "an SPDX document"; break;
                case "runs":
                    _other ??= "a SARIF log"; break;
                case "statements":
                    _other ??= "an OpenVEX document"; break;
                case "document":
                    _other ??= "a CSAF document"; break;
            }
        }

        public void RootString(string name, string value)
        {
            if (name == "error") _errorText = value;
            else if (name == "$schema" && value.Contains("sarif", StringComparison.OrdinalIgnoreCase)) _other = "a SARIF log";
            else if (name == "$schema" && value.Contains("cyclonedx", StringComparison.OrdinalIgnoreCase)) _other = "a CycloneDX document";
            else if (name == "@context" && value.Contains("openvex", StringComparison.OrdinalIgnoreCase)) _other = "an OpenVEX document";
        }

        /// <summary>Names inside the first element of a root-level array property.</summary>
        public void AddNested(string array, string name)
        {
            if (array == "matches" && name is "vulnerability" or "artifact" or "matchDetails" or "relatedVulnerabilities") _grype += 2;
            else if (array == "vulnerabilities")
            {
                if (name is "packageName" or "from" or "semver" or "upgradePath" or "isUpgradable" or "isPatchable" or "packageManager") _snyk += 2;
                else if (name is "bom-ref" or "ratings" or "affects" or "analysis") _cdxVulnerabilities = true;
            }
            else if (array is "Results" or "Resources" && name is "Target" or "Class" or "Namespace" or "Kind") _trivy += 1;
        }

        /// <summary>Names of the first element of a root array (Trivy's legacy layout, Snyk --all-projects).</summary>
        public void AddElement(string name)
        {
            _anyElementName = true;
            switch (name)
            {
                case "Target" or "Class" or "Vulnerabilities" or "Type" or "Packages" or "Misconfigurations" or "Secrets":
                    _trivy += 2; break;
                case "ok" or "vulnerabilities" or "dependencyCount" or "packageManager" or "projectName" or "uniqueCount" or "error" or "applications" or "displayTargetFile":
                    _snyk += 2; break;
                case "bomFormat":
                    _other = "an array of CycloneDX documents"; break;
            }
        }

        public SniffResult DecideObject()
        {
            if (_other is not null) return new SniffResult(SniffKind.NotAScanReport, _other);
            if (_cdxVulnerabilities && _snyk <= 1) return new SniffResult(SniffKind.NotAScanReport, "a CycloneDX document");
            if (_snykOk && _snykError && !_snykVulnerabilities) return new SniffResult(SniffKind.SnykError, _errorText ?? "(no error text)");
            var best = Decide();
            if (best is not null) return best;
            return new SniffResult(SniffKind.Unknown, _anyRootName ? "a JSON object with no field any supported scanner writes" : "an empty JSON object");
        }

        public SniffResult DecideArray()
        {
            if (_other is not null) return new SniffResult(SniffKind.NotAScanReport, _other);
            var best = Decide();
            if (best is not null) return best;
            return FirstElementType switch
            {
                JsonTokenType.None => new SniffResult(SniffKind.Unknown, "an empty JSON array"),
                JsonTokenType.StartObject => new SniffResult(SniffKind.Unknown, _anyElementName ? "a JSON array of objects no supported scanner writes" : "a JSON array of empty objects"),
                JsonTokenType.String => new SniffResult(SniffKind.NotAScanReport, "a JSON array of strings"),
                JsonTokenType.Number => new SniffResult(SniffKind.NotAScanReport, "a JSON array of numbers"),
                JsonTokenType.StartArray => new SniffResult(SniffKind.NotAScanReport, "a JSON array of arrays"),
                _ => new SniffResult(SniffKind.NotAScanReport, "a JSON array of literals"),
            };
        }

        private SniffResult? Decide()
        {
            var max = Math.Max(_trivy, Math.Max(_grype, _snyk));
            if (max == 0) return null;
            // Ties go in this order; in practice the scores of real reports are far apart.
            if (_trivy == max) return new SniffResult(SniffKind.Trivy);
            if (_grype == max) return new SniffResult(SniffKind.Grype);
            return new SniffResult(SniffKind.Snyk);
        }
    }
}
