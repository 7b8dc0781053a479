using System.Text.Json.Nodes;

namespace Triage.Core.Vex.CycloneDx;

/// <summary>
/// Writes a CycloneDX 1.6 VEX BOM. Images are <c>container</c> components (purl = the OCI purl, SHA-256 = manifest digest)
/// with the packages the statements govern nested inside them, so the containment survives a round trip. Each decision is
/// one <c>vulnerabilities[]</c> entry whose <c>analysis</c> carries state, justification, responses and detail, and whose
/// <c>affects</c> point at the nested package components, or, when the image's SBOM and the package's bom-ref in it are
/// known, at that SBOM through a BOM-link (<c>urn:cdx:serial/version#bom-ref</c>, the form Trivy reads).
/// </summary>
public static class CycloneDxVexWriter
{
    public static VexExportResult Write(VexExportRequest request)
    {
        var (planned, omitted) = VexExportPlanner.Plan(request);
        if (planned.Count == 0)
            throw new VexExportException("No VEX statement governs any finding of the exported images; there is nothing to write.");
        var key = VexWriting.DocumentKey(VexFormat.CycloneDx, request);
        var serial = "urn:uuid:" + VexWriting.Uuid(key);
        var losses = new List<string>();

        // Components: each image once, each governed package once inside it.
        var images = planned.SelectMany(p => p.Targets).GroupBy(t => t.Image.Label, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (Image: g.First().Image, Packages: g.SelectMany(t => t.Findings).Select(f => f.Package).DistinctBy(p => p.ToString())
                .OrderBy(p => p.ToString(), StringComparer.Ordinal).ToArray()))
            .ToArray();
        var components = images.Select(x =>
        {
            var c = new JsonObject
            {
                ["type"] = "container",
                ["bom-ref"] = ImageRef(x.Image),
                ["name"] = x.Image.NormalizedRepository,
                ["version"] = x.Image.NormalizedDigest,
                ["hashes"] = VexWriting.Array([new JsonObject { ["alg"] = "SHA-256", ["content"] = x.Image.NormalizedDigest["sha256:".Length..] }]),
                ["purl"] = x.Image.OciPurl.ToString(),
            };
            if (x.Image.Sbom is { } sbom)
                c["externalReferences"] = VexWriting.Array([new JsonObject { ["url"] = BomLink(sbom), ["type"] = "bom", ["comment"] = "SBOM of this image" }]);
            c["components"] = VexWriting.Array(x.Packages.Select(p =>
            {
                var pc = new JsonObject { ["type"] = "library", ["bom-ref"] = PackageRef(x.Image, p) };
                if (p.Namespace is not null) pc["group"] = p.Namespace;
                pc["name"] = p.Name;
                if (p.Version is not null) pc["version"] = p.Version;
                pc["purl"] = p.ToString();
                return (JsonNode)pc;
            }));
            return (JsonNode)c;
        }).ToArray();

        var vulnerabilities = planned.Select(p => Vulnerability(p, losses)).ToArray();

        JsonNode Build(int version, DateTimeOffset time, IReadOnlyList<VexRevision> _) => new JsonObject
        {
            ["$schema"] = "http://cyclonedx.org/schema/bom-1.6.schema.json",
            ["bomFormat"] = "CycloneDX",
            ["specVersion"] = "1.6",
            ["serialNumber"] = serial,
            ["version"] = version,
            ["metadata"] = new JsonObject
            {
                ["timestamp"] = VexWriting.Time(time),
                ["tools"] = new JsonObject { ["components"] = VexWriting.Array([new JsonObject { ["type"] = "application", ["name"] = request.Tooling }]) },
                ["authors"] = VexWriting.Array([new JsonObject { ["name"] = request.Author }]),
            },
            ["components"] = VexWriting.Array(components.Select(c => c.DeepClone())),
            ["vulnerabilities"] = VexWriting.Array(vulnerabilities.Select(v => v.DeepClone())),
        };

        return VexWriting.Finish(VexFormat.CycloneDx, request, serial, Build, omitted, losses.Distinct().ToArray());
    }

    private static JsonObject Vulnerability(PlannedStatement p, List<string> losses)
    {
        var s = p.Statement;
        var analysis = new JsonObject { ["state"] = s.Status.ToCycloneDxState().ToWire() };
        string? inexact = null;
        if (s.Status == VexStatus.NotAffected)
        {
            if (s.CycloneDxJustification is { } cj) analysis["justification"] = cj.ToWire();
            else if (s.Justification is { } j)
            {
                var (mapped, exact, loss) = JustificationMapping.ToCycloneDx(j);
                analysis["justification"] = mapped.ToWire();
                if (!exact && loss is not null)
                {
                    losses.Add($"{p.Vulnerability.Id}: {loss}.");
                    inexact = $"OpenVEX justification: {j.ToWire()}.";
                }
            }
        }
        if (s.Responses.Count > 0) analysis["response"] = VexWriting.Strings(s.Responses.Select(r => r.ToWire()));
        // An inexact justification is also said in words, so a reader of the detail learns what the author meant.
        var detail = string.Join(" ", new[] { Detail(s), inexact }.Where(x => x is not null));
        if (detail.Length > 0) analysis["detail"] = detail;
        analysis["firstIssued"] = VexWriting.Time(s.Timestamp);
        analysis["lastUpdated"] = VexWriting.Time(s.Timestamp);

        var affects = p.Targets.SelectMany(t => t.Findings.Select(f =>
                t.Image.Sbom is { } sbom && f.SbomBomRef is { } br ? $"{BomLink(sbom)}#{Uri.EscapeDataString(br)}" : PackageRef(t.Image, f.Package)))
            .Distinct().Select(r => (JsonNode)new JsonObject { ["ref"] = r });

        var v = new JsonObject { ["id"] = p.Vulnerability.Id };
        if (Source(p.Vulnerability.Id) is { } src) v["source"] = src;
        if (p.Vulnerability.Aliases.Count > 0)
            v["references"] = VexWriting.Array(p.Vulnerability.Aliases.Select(a => (JsonNode)new JsonObject { ["id"] = a, ["source"] = Source(a) ?? new JsonObject { ["name"] = Prefix(a) } }));
        v["analysis"] = analysis;
        v["affects"] = VexWriting.Array(affects);
        // The bom-ref is the content's hash, like OpenVEX statement ids: stable across exports of the same decision.
        var withRef = new JsonObject { ["bom-ref"] = "vex-" + VexWriting.Sha256Hex(v.ToJsonString())[..32] };
        foreach (var (k, val) in v) withRef[k] = val?.DeepClone();
        return withRef;
    }

    private static string? Detail(VexStatement s)
    {
        var main = s.Status switch
        {
            VexStatus.NotAffected => s.CycloneDxJustification is not null ? s.ImpactStatement : s.ImpactStatementForExport,
            VexStatus.Affected => s.ActionStatement,
            VexStatus.Fixed or VexStatus.UnderInvestigation => null,
        };
        var parts = new[] { main, s.Notes, s.ExpiresAt is { } e ? $"Decision expires {VexWriting.Time(e)}." : null }.Where(x => x is not null).ToArray();
        return parts.Length == 0 ? null : string.Join(" ", parts);
    }

    private static JsonObject? Source(string id)
    {
        if (id.StartsWith("CVE-", StringComparison.OrdinalIgnoreCase))
            return new JsonObject { ["name"] = "NVD", ["url"] = $"https://nvd.nist.gov/vuln/detail/{id.ToUpperInvariant()}" };
        if (id.StartsWith("GHSA-", StringComparison.OrdinalIgnoreCase))
            return new JsonObject { ["name"] = "GitHub", ["url"] = $"https://github.com/advisories/{id}" };
        return null;
    }

    private static string Prefix(string id) => id.Contains('-') ? id[..id.IndexOf('-')] : id;

    private static string ImageRef(VexExportImage img) => img.OciPurl.ToString();

    /// <summary>Unique per image: the same package in two images is two components.</summary>
    private static string PackageRef(VexExportImage img, Triage.Core.Identity.Purl p) => $"{img.NormalizedDigest[7..19]}/{p}";

    private static string BomLink(VexSbomLink sbom)
    {
        var uuid = sbom.SerialNumber.StartsWith("urn:uuid:", StringComparison.OrdinalIgnoreCase) ? sbom.SerialNumber[9..] : sbom.SerialNumber;
        return $"urn:cdx:{uuid.ToLowerInvariant()}/{sbom.Version}";
    }
}
