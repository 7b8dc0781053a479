using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Triage.Core.Identity;

namespace Triage.Core.Vex.Csaf;

/// <summary>
/// Writes a CSAF 2.0 document in the VEX profile (<c>csaf_vex</c>). The product tree names every image (OCI purl) and
/// every governed package (its purl), and one <c>default_component_of</c> relationship per package in an image; statuses
/// are given on those relationship products. One vulnerability object per CVE (mandatory test 6.1.23), with
/// product_status lists, a flag per justification, an <c>impact</c> threat per impact statement (so every
/// known_not_affected product has one or the other, test 6.1.27.9) and a remediation per action statement (test 6.1.27.10).
/// </summary>
public static partial class CsafVexWriter
{
    public static VexExportResult Write(VexExportRequest request)
    {
        var (planned, omitted) = VexExportPlanner.Plan(request);
        if (planned.Count == 0)
            throw new VexExportException("No VEX statement governs any finding of the exported images; a CSAF VEX document needs at least one product status.");
        var key = VexWriting.DocumentKey(VexFormat.Csaf, request);
        var trackingId = "TRIAGE-VEX-" + key[..16].ToUpperInvariant();
        var losses = new List<string>();

        // Products.
        var images = new SortedDictionary<string, VexExportImage>(StringComparer.Ordinal);
        var packages = new SortedDictionary<string, Purl>(StringComparer.Ordinal);
        var relations = new SortedDictionary<string, (string Img, string Pkg, string Name)>(StringComparer.Ordinal);
        string Rel(VexExportImage img, Purl pkg)
        {
            pkg = pkg.WithoutQualifiers(); // see VexWriting.SubcomponentPurl
            var imgId = ImageId(img);
            var pkgId = PackageId(pkg);
            images.TryAdd(imgId, img);
            packages.TryAdd(pkgId, pkg);
            var relId = $"{imgId}:{pkgId}";
            relations.TryAdd(relId, (imgId, pkgId, $"{pkg} in {img.Label}"));
            return relId;
        }

        // Vulnerabilities, one per CVE (or per id when there is no CVE).
        var groups = planned.GroupBy(p => CveOf(p.Vulnerability) ?? p.Vulnerability.Id, StringComparer.OrdinalIgnoreCase).OrderBy(g => g.Key, StringComparer.Ordinal);
        var vulnerabilities = new List<JsonNode>();
        foreach (var g in groups)
        {
            var cve = CveOf(g.First().Vulnerability);
            var allIds = g.SelectMany(p => p.Vulnerability.AllIds).Distinct(StringComparer.OrdinalIgnoreCase).Where(i => !string.Equals(i, cve, StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal).ToArray();
            var status = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
            var flags = new SortedDictionary<string, (SortedSet<string> Ids, DateTimeOffset Date)>(StringComparer.Ordinal);
            var threats = new SortedDictionary<string, (SortedSet<string> Ids, DateTimeOffset Date)>(StringComparer.Ordinal);
            var remediations = new SortedDictionary<(string Cat, string Text), (SortedSet<string> Ids, DateTimeOffset Date)>();
            foreach (var p in g)
            {
                var s = p.Statement;
                var ids = p.Targets.SelectMany(t => t.Findings.Select(f => Rel(t.Image, f.Package))).ToArray();
                Add(status, StatusList(s.Status), ids);
                if (s.Status == VexStatus.NotAffected)
                {
                    if (s.EffectiveJustification is { } m)
                    {
                        if (m.Justification is { } j) AddDated(flags, j.ToWire(), ids, s.Timestamp);
                        if (m.Loss is not null) losses.Add($"{p.Vulnerability.Id}: {m.Loss}.");
                    }
                    if (s.ImpactStatementForExport is { } impact) AddDated(threats, impact, ids, s.Timestamp);
                }
                if (s.Status == VexStatus.Affected && s.ActionStatement is { } action)
                    AddDated(remediations, (CsafNames.FromResponses(s.Responses).ToWire(), action), ids, s.Timestamp);
            }

            var v = new JsonObject();
            if (cve is not null) v["cve"] = cve;
            if (allIds.Length > 0)
                v["ids"] = VexWriting.Array(allIds.Select(i => (JsonNode)new JsonObject { ["system_name"] = SystemName(i), ["text"] = i }));
            v["notes"] = VexWriting.Array([new JsonObject
            {
                ["category"] = "description",
                ["text"] = $"Exploitability of {cve ?? allIds.FirstOrDefault()} in the listed container images, as decided in Triage.",
                ["title"] = "Triage VEX statement",
            }]);
            v["product_status"] = new JsonObject(status.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)VexWriting.Strings(kv.Value))));
            if (flags.Count > 0)
                v["flags"] = VexWriting.Array(flags.Select(kv => (JsonNode)new JsonObject
                {
                    ["date"] = VexWriting.Time(kv.Value.Date),
                    ["label"] = kv.Key,
                    ["product_ids"] = VexWriting.Strings(kv.Value.Ids),
                }));
            if (threats.Count > 0)
                v["threats"] = VexWriting.Array(threats.Select(kv => (JsonNode)new JsonObject
                {
                    ["category"] = "impact",
                    ["date"] = VexWriting.Time(kv.Value.Date),
                    ["details"] = kv.Key,
                    ["product_ids"] = VexWriting.Strings(kv.Value.Ids),
                }));
            if (remediations.Count > 0)
                v["remediations"] = VexWriting.Array(remediations.Select(kv => (JsonNode)new JsonObject
                {
                    ["category"] = kv.Key.Cat,
                    ["date"] = VexWriting.Time(kv.Value.Date),
                    ["details"] = kv.Key.Text,
                    ["product_ids"] = VexWriting.Strings(kv.Value.Ids),
                }));
            vulnerabilities.Add(v);
        }

        var productTree = new JsonObject
        {
            ["full_product_names"] = VexWriting.Array(
                images.Select(kv => (JsonNode)new JsonObject
                {
                    ["name"] = kv.Value.Label,
                    ["product_id"] = kv.Key,
                    ["product_identification_helper"] = new JsonObject { ["purl"] = kv.Value.OciPurl.ToString() },
                }).Concat(packages.Select(kv => (JsonNode)new JsonObject
                {
                    ["name"] = kv.Value.Version is null ? kv.Value.Name : $"{kv.Value.Name} {kv.Value.Version}",
                    ["product_id"] = kv.Key,
                    ["product_identification_helper"] = new JsonObject { ["purl"] = kv.Value.ToString() },
                }))),
            ["relationships"] = VexWriting.Array(relations.Select(kv => (JsonNode)new JsonObject
            {
                ["category"] = "default_component_of",
                ["full_product_name"] = new JsonObject { ["name"] = kv.Value.Name, ["product_id"] = kv.Key },
                ["product_reference"] = kv.Value.Pkg,
                ["relates_to_product_reference"] = kv.Value.Img,
            })),
        };

        var title = request.Title ?? $"VEX for {string.Join(", ", images.Values.Select(i => i.NormalizedRepository).Distinct())}";

        JsonNode Build(int version, DateTimeOffset time, IReadOnlyList<VexRevision> revisions) => new JsonObject
        {
            ["document"] = new JsonObject
            {
                ["category"] = "csaf_vex",
                ["csaf_version"] = "2.0",
                ["lang"] = "en",
                ["notes"] = VexWriting.Array([new JsonObject
                {
                    ["category"] = "summary",
                    ["text"] = "Vulnerability exploitability statements for container images, exported from Triage.",
                    ["title"] = "Summary",
                }]),
                ["publisher"] = new JsonObject
                {
                    ["category"] = request.PublisherCategory,
                    ["name"] = request.Author,
                    ["namespace"] = request.PublisherNamespace,
                },
                ["title"] = title,
                ["tracking"] = new JsonObject
                {
                    ["current_release_date"] = VexWriting.Time(time),
                    ["generator"] = new JsonObject { ["engine"] = new JsonObject { ["name"] = request.Tooling } },
                    ["id"] = trackingId,
                    ["initial_release_date"] = VexWriting.Time(revisions[0].Date),
                    ["revision_history"] = VexWriting.Array(revisions.Select(r => (JsonNode)new JsonObject
                    {
                        ["date"] = VexWriting.Time(r.Date),
                        ["number"] = r.Number.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        ["summary"] = r.Summary.Length == 0 ? "Version." : r.Summary,
                    })),
                    ["status"] = "final",
                    ["version"] = version.ToString(System.Globalization.CultureInfo.InvariantCulture),
                },
            },
            ["product_tree"] = productTree.DeepClone(),
            ["vulnerabilities"] = VexWriting.Array(vulnerabilities.Select(v => v.DeepClone())),
        };

        return VexWriting.Finish(VexFormat.Csaf, request, trackingId, Build, omitted, losses.Distinct().ToArray());
    }

    private static string StatusList(VexStatus s) => s switch
    {
        VexStatus.NotAffected => "known_not_affected",
        VexStatus.Affected => "known_affected",
        VexStatus.Fixed => "fixed",
        VexStatus.UnderInvestigation => "under_investigation",
    };

    private static void Add(SortedDictionary<string, SortedSet<string>> d, string key, IEnumerable<string> ids)
    {
        if (!d.TryGetValue(key, out var set)) d[key] = set = new SortedSet<string>(StringComparer.Ordinal);
        set.UnionWith(ids);
    }

    private static void AddDated<TKey>(SortedDictionary<TKey, (SortedSet<string> Ids, DateTimeOffset Date)> d, TKey key, IEnumerable<string> ids, DateTimeOffset date)
        where TKey : notnull
    {
        if (!d.TryGetValue(key, out var e)) e = (new SortedSet<string>(StringComparer.Ordinal), date);
        e.Ids.UnionWith(ids);
        d[key] = (e.Ids, date > e.Date ? date : e.Date);
    }

    private static string? CveOf(VulnerabilityRef v) => v.AllIds.FirstOrDefault(i => Cve().IsMatch(i))?.ToUpperInvariant();

    private static string SystemName(string id) => id.Contains('-') ? id[..id.IndexOf('-')].ToUpperInvariant() : "other";

    private static string ImageId(VexExportImage img) => "IMG-" + img.NormalizedDigest[7..23];

    private static string PackageId(Purl p) => "PKG-" + VexWriting.Sha256Hex(p.ToString())[..16];

    [GeneratedRegex("^CVE-[0-9]{4}-[0-9]{4,}$", RegexOptions.IgnoreCase)]
    private static partial Regex Cve();
}
