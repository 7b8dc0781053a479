using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Triage.Core.Identity;

namespace Triage.Core.Vex;

/// <summary>One finding of an exported image.</summary>
/// <param name="SbomBomRef">The package's bom-ref in the image's SBOM, when known (CycloneDX export then points there with a BOM-link).</param>
public sealed record VexExportFinding(Purl Package, IReadOnlyList<string> VulnerabilityIds, string? SbomBomRef = null);

/// <summary>The image's CycloneDX SBOM, for BOM-links (<c>urn:cdx:serial/version</c>).</summary>
public sealed record VexSbomLink(string SerialNumber, int Version);

/// <summary>An image to export statements for, with its findings (the lead builds it from the database).</summary>
public sealed record VexExportImage(
    string Repository,
    string Digest,
    IReadOnlyList<string> Tags,
    IReadOnlyList<VexExportFinding> Findings,
    IReadOnlyList<string>? Teams = null,
    VexSbomLink? Sbom = null)
{
    public string NormalizedRepository { get; } = VexImageNames.NormalizeRepository(Repository);
    public string NormalizedDigest { get; } = VexImageNames.TryNormalizeDigest(Digest, out var d) ? d
        : throw new ArgumentException($"'{Digest}' is not a sha256 digest.", nameof(Digest));

    /// <summary><c>pkg:oci/&lt;name&gt;@sha256:…?repository_url=&lt;registry/repo&gt;</c>. Docker Hub is written
    /// "index.docker.io/…" because that is how Trivy and Grype spell the image they scan (go-containerregistry's
    /// registry name), and go-vex compares qualifiers as strings.</summary>
    public Purl OciPurl
    {
        get
        {
            var repoUrl = NormalizedRepository.StartsWith("docker.io/", StringComparison.Ordinal) ? "index." + NormalizedRepository : NormalizedRepository;
            return new Purl
            {
                Type = "oci",
                Name = VexImageNames.ShortName(Repository),
                Version = NormalizedDigest,
                Qualifiers = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["repository_url"] = repoUrl },
            };
        }
    }

    public string Label => $"{NormalizedRepository}@{NormalizedDigest}";
}

/// <summary>A revision of an exported document (CSAF keeps them all in revision_history).</summary>
public sealed record VexRevision(int Number, DateTimeOffset Date, string Summary);

/// <summary>What the previous export of the same document looked like; the lead stores it from <see cref="VexExportResult"/>.</summary>
public sealed record VexPreviousExport(int Version, string ContentHash, DateTimeOffset Timestamp, IReadOnlyList<VexRevision> Revisions);

/// <summary>Everything a writer needs. Deterministic: the same request gives the same bytes.</summary>
public sealed record VexExportRequest
{
    public required string Author { get; init; }
    public string? AuthorRole { get; init; }
    /// <summary>The time of this export; used only when the content changed since <see cref="Previous"/>.</summary>
    public required DateTimeOffset Now { get; init; }
    public required IReadOnlyList<VexExportImage> Images { get; init; }
    /// <summary>All statements that may apply (history included); the export writes the effective one per finding.</summary>
    public required IReadOnlyList<VexStatement> Statements { get; init; }
    public VexTrustPolicy Trust { get; init; } = VexTrustPolicy.TrustAll;
    public VexPreviousExport? Previous { get; init; }
    /// <summary>CSAF publisher namespace (a URI that identifies the publisher).</summary>
    public string PublisherNamespace { get; init; } = "urn:triage:publisher";
    /// <summary>CSAF publisher category: vendor, user, other… (an organisation publishing VEX about its own images is the vendor).</summary>
    public string PublisherCategory { get; init; } = "vendor";
    public string? Title { get; init; }
    public string Tooling { get; init; } = "Triage";
    /// <summary>What the document is about when a scope names it (<c>repository:…</c>, <c>team:…</c>, <c>all</c>, an image
    /// reference): the document keeps its id, and its versions follow on, while the scope gains or loses digests. Null: the
    /// document is named by the images it lists.</summary>
    public string? Subject { get; init; }
}

/// <summary>A statement that was not written, and why.</summary>
public sealed record VexExportOmission(VexStatement Statement, string Reason);

/// <summary>The written document and what the lead stores for the next export.</summary>
/// <param name="Losses">Sentences naming what the format could not say exactly (justification mappings).</param>
public sealed record VexExportResult(
    VexFormat Format,
    string Json,
    string DocumentId,
    int Version,
    string ContentHash,
    DateTimeOffset Timestamp,
    IReadOnlyList<VexRevision> Revisions,
    IReadOnlyList<VexExportOmission> Omitted,
    IReadOnlyList<string> Losses)
{
    public VexPreviousExport AsPrevious() => new(Version, ContentHash, Timestamp, Revisions);
}

public sealed class VexExportException(string message) : Exception(message);

/// <summary>One statement as it will be written: the statement, the merged vulnerability names, and for each image the
/// packages it governs.</summary>
internal sealed record PlannedStatement(
    VexStatement Statement,
    VulnerabilityRef Vulnerability,
    IReadOnlyList<(VexExportImage Image, IReadOnlyList<VexExportFinding> Findings)> Targets);

/// <summary>
/// Decides what to write, the same way for all three formats: for every finding of every exported image, the effective
/// statement (<see cref="VexResolver"/>); a statement is written with exactly the images and packages it governs. Writing
/// only effective statements keeps consumers that apply "latest timestamp wins" (Trivy, Grype, go-vex) in agreement with
/// Triage's scope precedence. Packages are always listed as subcomponents, so a consumer never suppresses a package
/// nobody decided on.
/// </summary>
internal static class VexExportPlanner
{
    public static (IReadOnlyList<PlannedStatement> Planned, IReadOnlyList<VexExportOmission> Omitted) Plan(VexExportRequest request)
    {
        var byStatement = new Dictionary<Guid, (VexStatement S, Dictionary<string, (VexExportImage Img, List<VexExportFinding> F)> Images, HashSet<string> Ids)>();
        var appliedSomewhere = new HashSet<Guid>();
        var notWinning = new Dictionary<Guid, string>();
        foreach (var image in request.Images)
            foreach (var f in image.Findings)
            {
                var finding = new VexFinding(image.Repository, image.Digest, f.Package, f.VulnerabilityIds, image.Teams);
                var res = VexResolver.Resolve(finding, request.Statements, request.Now, request.Trust);
                foreach (var a in res.Applicable) appliedSomewhere.Add(a.Id);
                foreach (var (s, why) in res.Set) notWinning.TryAdd(s.Id, why);
                if (res.Effective is not { } e) continue;
                if (!byStatement.TryGetValue(e.Id, out var entry))
                    byStatement[e.Id] = entry = (e, new(StringComparer.Ordinal), new(StringComparer.OrdinalIgnoreCase));
                if (!entry.Images.TryGetValue(image.Label, out var t)) entry.Images[image.Label] = t = (image, []);
                if (!t.F.Any(x => x.Package.SameAs(f.Package))) t.F.Add(f);
                foreach (var id in f.VulnerabilityIds) entry.Ids.Add(id);
            }

        var planned = byStatement.Values
            .Select(v => new PlannedStatement(
                v.S,
                new VulnerabilityRef(v.S.Vulnerability.Id, v.S.Vulnerability.Aliases.Concat(v.Ids)),
                v.Images.Values
                    .OrderBy(t => t.Img.Label, StringComparer.Ordinal)
                    .Select(t => (t.Img, (IReadOnlyList<VexExportFinding>)t.F.OrderBy(x => x.Package.ToString(), StringComparer.Ordinal).ToArray()))
                    .ToArray()))
            .OrderBy(p => p.Vulnerability.Id, StringComparer.Ordinal)
            .ThenBy(p => p.Statement.Timestamp)
            .ThenBy(p => p.Statement.Id)
            .ToArray();

        var omitted = request.Statements
            .Where(s => !byStatement.ContainsKey(s.Id))
            .Select(s => new VexExportOmission(s,
                notWinning.TryGetValue(s.Id, out var why) ? $"not written: {why}"
                : appliedSomewhere.Contains(s.Id) ? "not written: a more specific or later statement governs every finding it applies to"
                : "not written: no finding of the exported images falls under it"))
            .ToArray();
        return (planned, omitted);
    }
}

/// <summary>Shared mechanics of the writers: stable ids, versioning and JSON output.</summary>
internal static class VexWriting
{
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        // VEX files are read by people and by tools, never embedded in HTML: '+' in "libstdc++" stays readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Time(DateTimeOffset t) =>
        t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// The purl written for a package inside an image: without qualifiers. The image product already pins platform and
    /// distribution, and scanners disagree on qualifiers for the same package (Trivy "distro=3.19.9", Grype
    /// "distro=alpine-3.19.9&amp;upstream=busybox") while go-vex requires every VEX-side qualifier on the target; a
    /// qualifier-free purl with name and version matches both and nothing else in that image.
    /// </summary>
    public static string SubcomponentPurl(Purl package) => package.WithoutQualifiers().ToString();

    public static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>A name-based UUID (RFC 9562 version 5 layout over SHA-256 bits) so CycloneDX serial numbers are stable.</summary>
    public static string Uuid(string name)
    {
        var h = SHA256.HashData(Encoding.UTF8.GetBytes(name));
        h[6] = (byte)((h[6] & 0x0F) | 0x50);
        h[8] = (byte)((h[8] & 0x3F) | 0x80);
        var hex = Convert.ToHexStringLower(h.AsSpan(0, 16));
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..32]}";
    }

    /// <summary>The document's identity: who writes about what in which format (the subject when the request names one,
    /// else the images it lists). Stays the same across versions.</summary>
    public static string DocumentKey(VexFormat format, VexExportRequest r) =>
        Sha256Hex(r.Subject is { } subject
            ? $"{format.ToWire()}\n{r.Author}\nsubject:{subject}"
            : $"{format.ToWire()}\n{r.Author}\n{string.Join("\n", r.Images.Select(i => i.Label).Distinct().Order(StringComparer.Ordinal))}");

    /// <summary>
    /// Builds the document twice if needed: once with neutral version/time to hash the content, then with the real ones.
    /// The version goes up, and the time moves, only when the content hash differs from the previous export's.
    /// </summary>
    public static VexExportResult Finish(VexFormat format, VexExportRequest r, string documentId,
        Func<int, DateTimeOffset, IReadOnlyList<VexRevision>, JsonNode> build, IReadOnlyList<VexExportOmission> omitted, IReadOnlyList<string> losses)
    {
        var neutral = build(1, DateTimeOffset.UnixEpoch, [new VexRevision(1, DateTimeOffset.UnixEpoch, "")]).ToJsonString(Json);
        var hash = "sha256:" + Sha256Hex(neutral);
        int version;
        DateTimeOffset time;
        IReadOnlyList<VexRevision> revisions;
        if (r.Previous is { } p && p.ContentHash == hash)
        {
            version = p.Version;
            time = p.Timestamp;
            revisions = p.Revisions.Count > 0 ? p.Revisions : [new VexRevision(p.Version, p.Timestamp, "Unchanged.")];
        }
        else
        {
            version = (r.Previous?.Version ?? 0) + 1;
            time = r.Now;
            var history = r.Previous?.Revisions ?? [];
            revisions = [.. history, new VexRevision(version, time, version == 1 ? "Initial version." : "Statements changed.")];
        }
        var json = build(version, time, revisions).ToJsonString(Json);
        return new VexExportResult(format, json, documentId, version, hash, time, revisions, omitted, losses);
    }

    public static JsonArray Array(IEnumerable<JsonNode?> items) => new([.. items]);

    public static JsonArray Strings(IEnumerable<string> items) => new([.. items.Select(s => (JsonNode?)JsonValue.Create(s))]);
}

/// <summary>The writer for a format, for callers that take the format as an argument (<c>triage vex export --format</c>).</summary>
public static class VexWriter
{
    public static VexExportResult Write(VexFormat format, VexExportRequest request) => format switch
    {
        VexFormat.OpenVex => OpenVex.OpenVexWriter.Write(request),
        VexFormat.CycloneDx => CycloneDx.CycloneDxVexWriter.Write(request),
        VexFormat.Csaf => Csaf.CsafVexWriter.Write(request),
    };
}
