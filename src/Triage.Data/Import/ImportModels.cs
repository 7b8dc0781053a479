using Triage.Core.Domain;

namespace Triage.Data.Import;

public sealed record ImportOptions
{
    /// <summary>Names the image when the report does not (file-system scans) or spells it differently.</summary>
    public string? Image { get; init; }
    /// <summary>Forces a scanner instead of detecting it from the content.</summary>
    public ScannerKind? Scanner { get; init; }
    /// <summary>The signed-in user or token that imports, recorded on the scan.</summary>
    public string? ImportedBy { get; init; }
    /// <summary>Largest report accepted (bytes). The API and CLI share the default of 512 MiB.</summary>
    public long MaxBytes { get; init; } = DefaultMaxBytes;
    /// <summary>Runs inside the import's transaction just before it commits: fault-injection tests use it to stop an
    /// instance in the middle of an import (docs/decisions/070-scale-out-and-queue.md). Null in normal use.</summary>
    public Func<CancellationToken, Task>? BeforeCommit { get; init; }

    public const long DefaultMaxBytes = 512L * 1024 * 1024;
}

/// <summary>What one import did: the contract of `triage ingest --json` and of POST /api/v1/scans.</summary>
public sealed record ImportSummary
{
    public required string File { get; init; }
    public required string Scanner { get; init; }
    public string? ScannerVersion { get; init; }
    /// <summary>"repository:tag" of the (first) artifact.</summary>
    public string? Image { get; init; }
    public string? Digest { get; init; }
    /// <summary>Scanner claims stored (after a record naming several CVEs counts once per CVE).</summary>
    public int Observations { get; init; }
    /// <summary>Distinct findings the report supports.</summary>
    public int Findings { get; init; }
    /// <summary>Findings that did not exist before this import.</summary>
    public int NewFindings { get; init; }
    /// <summary>True when the same bytes were imported before; nothing changed.</summary>
    public bool Duplicate { get; init; }
    public string Sha256 { get; init; } = "";
    public IReadOnlyList<ImportedArtifact> Artifacts { get; init; } = [];
    public IReadOnlyDictionary<string, int> Skipped { get; init; } = new Dictionary<string, int>();
    public IReadOnlyList<string> Warnings { get; init; } = [];
    /// <summary>True when the importer already computed the imported images' verdicts and scores in its own transaction.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool RiskScored { get; init; }
}

/// <summary>One image a report named. <paramref name="NamesAdded"/>: the import gave the image a name it did not have (a new
/// image, a tag it was not known by, or the digest of an image known only by its tag), which a stored VEX product may name.</summary>
public sealed record ImportedArtifact(string Image, string Repository, string? Digest, long ArtifactId, long ScanId, int Observations, int Findings, int NewFindings,
    bool NamesAdded = false);

/// <summary>A report to import: its name (messages, the stored raw report), how to open it, and its length when known
/// (<see cref="ReportImporter.ImportManyAsync"/> reads a long one alone rather than beside another).</summary>
public sealed record ReportSource(string FileName, Func<Stream> Open, long? Length = null);

/// <summary>A report read and planned by <see cref="ReportImporter.PrepareAsync"/>, not yet stored.</summary>
public sealed record PreparedReport(Triage.Core.Identity.ImportPlan Plan, string FileName, string Sha256, byte[] Compressed, long Size,
    ImportOptions Options)
{
    /// <summary>The evidence columns of the report's vulnerability records, computed beside the identity plan.</summary>
    internal IReadOnlyDictionary<Triage.Core.Ingest.ParsedVulnerability, VulnerabilityColumns>? Columns { get; init; }
}

/// <summary>What a new vulnerability record stores of a report's evidence as JSON, and the highest CVSS scores in it (the
/// ranking's input for alias groups the import creates), computed once per record; <paramref name="Evidence"/> fingerprints
/// everything a merge into an existing record reads of the report's record (<see cref="SqliteIdentityCache"/>).</summary>
internal sealed record VulnerabilityColumns(string? CvssJson, string? SeverityBySourceJson, double? ModernCvss, double? AnyCvss, UInt128 Evidence)
{
    /// <param name="fingerprint">False for a report too large for the identity cache (<see cref="SqliteIdentityCache.MaxReportRecords"/>).</param>
    public static VulnerabilityColumns Of(Triage.Core.Ingest.ParsedVulnerability v, bool fingerprint = true)
    {
        var (modern, any) = Runtime.Cvss.MaxScores(v.Cvss);
        var cvss = Triage.Core.Ingest.EvidenceJson.Cvss(v.Cvss);
        var severities = Triage.Core.Ingest.EvidenceJson.SeverityBySource(v.SeverityBySource);
        return new VulnerabilityColumns(cvss, severities, modern, any, fingerprint ? Fingerprint(v, cvss, severities) : default);
    }

    /// <summary>SHA-256 (first 128 bits) of what <c>ReportImporter</c> merges into a stored record: whether there is a title
    /// and a description, the CVSS and per-source severities (as the JSON that stands for them exactly), the references and
    /// the CWEs, each length-prefixed. A report cannot make two different evidences collide.</summary>
    internal static UInt128 Fingerprint(Triage.Core.Ingest.ParsedVulnerability v, string? cvss, string? severities)
    {
        var length = 1 + Part(cvss) + Part(severities) + 2 + 2;
        foreach (var r in v.References) length += Part(r);
        foreach (var c in v.Cwes) length += Part(c);
        var chars = System.Buffers.ArrayPool<char>.Shared.Rent(length);
        try
        {
            var n = 0;
            chars[n++] = (char)((v.Title is null ? 0 : 1) | (v.Description is null ? 0 : 2));
            Put(chars, ref n, cvss);
            Put(chars, ref n, severities);
            chars[n++] = (char)v.References.Count;
            chars[n++] = (char)(v.References.Count >> 16);
            foreach (var r in v.References) Put(chars, ref n, r);
            chars[n++] = (char)v.Cwes.Count;
            chars[n++] = (char)(v.Cwes.Count >> 16);
            foreach (var c in v.Cwes) Put(chars, ref n, c);
            Span<byte> hash = stackalloc byte[32];
            System.Security.Cryptography.SHA256.HashData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(chars.AsSpan(0, n)), hash);
            return System.Buffers.Binary.BinaryPrimitives.ReadUInt128LittleEndian(hash);
        }
        finally
        {
            System.Buffers.ArrayPool<char>.Shared.Return(chars);
        }

        static int Part(string? s) => 2 + (s?.Length ?? 0);

        static void Put(char[] into, ref int n, string? s)
        {
            // Length + 1 (0 for null) in two chars, then the text.
            var l = s is null ? 0 : s.Length + 1;
            into[n++] = (char)l;
            into[n++] = (char)(l >> 16);
            if (s is null) return;
            s.CopyTo(into.AsSpan(n));
            n += s.Length;
        }
    }

    /// <summary>The columns of every record of the report. Records an earlier import already stored do not use theirs (their
    /// evidence is merged instead); on a rescan that is most of them, a few milliseconds on the reading thread per report.</summary>
    public static Dictionary<Triage.Core.Ingest.ParsedVulnerability, VulnerabilityColumns> Of(Triage.Core.Ingest.ParsedReport report)
    {
        var result = new Dictionary<Triage.Core.Ingest.ParsedVulnerability, VulnerabilityColumns>(report.Vulnerabilities.Count, ReferenceEqualityComparer.Instance);
        var fingerprint = report.Vulnerabilities.Count <= SqliteIdentityCache.MaxReportRecords;
        foreach (var v in report.Vulnerabilities.Values)
            if (!result.ContainsKey(v)) result[v] = Of(v, fingerprint);
        return result;
    }
}
