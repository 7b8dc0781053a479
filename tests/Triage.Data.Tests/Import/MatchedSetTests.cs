using System.Text.Json;
using System.Text.RegularExpressions;
using Triage.Data.Import;
using Triage.Data.Queries;
using Triage.Testing;
using Xunit.Abstractions;

namespace Triage.Data.Tests.Import;

/// <summary>
/// Issue 3's measured acceptance: for every set in ../shared/fixtures/matched (one image scanned by two or three scanners),
/// the claims of each scanner are computed from the raw JSON here, independently of the product's parsers and identity
/// code, and the findings after importing them all must be exactly one per real problem, listing every scanner.
/// </summary>
public partial class MatchedSetTests(ITestOutputHelper output)
{
    public static TheoryData<string> Sets()
    {
        var data = new TheoryData<string>();
        if (!TestPaths.SharedFixturesPresent) return data;
        foreach (var dir in Directory.GetDirectories(TestPaths.Fixture("matched")).Order(StringComparer.Ordinal))
            if (Directory.GetFiles(dir, "*.json").Count(f => !f.Contains("sarif", StringComparison.Ordinal)) >= 2)
                data.Add(Path.GetFileName(dir));
        return data;
    }

    [FixtureTheory]
    [MemberData(nameof(Sets))]
    public async Task MatchedSet_EveryRealProblemIsExactlyOneFindingListingEveryScanner(string set)
    {
        var dir = TestPaths.Fixture("matched", set);
        var files = Directory.GetFiles(dir, "*.json").Where(f => !f.Contains("sarif", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        var claims = files.SelectMany(f => GroundTruth.Claims(Path.GetFileNameWithoutExtension(f), f)).ToList();
        var expected = GroundTruth.Group(claims);

        var conn = TestDatabases.NewSqlite();
        var importer = new ReportImporter(conn);
        foreach (var f in files)
        {
            await using var s = File.OpenRead(f);
            await importer.ImportAsync(s, f, new ImportOptions { Image = $"matched/{set}:1" });
        }
        await using var db = TriageDatabase.CreateContext(conn);
        var findings = await FindingQueries.ToViewsAsync(db, FindingQueries.Filtered(db, new FindingFilter()));

        // Index findings by (id or alias, normalised version) for the lookup of each expected group.
        var index = new Dictionary<(string Id, string Version), List<FindingView>>();
        foreach (var f in findings)
            foreach (var id in f.Vulnerability.Aliases.Append(f.Vulnerability.Id))
            {
                var key = (id, GroundTruth.NormVersion(f.Package.Version));
                if (!index.TryGetValue(key, out var list)) index[key] = list = [];
                list.Add(f);
            }

        var multi = expected.Where(g => g.Scanners.Count >= 2).ToList();
        var missed = new List<string>();
        foreach (var g in multi)
        {
            var hits = g.Claims
                .SelectMany(c => index.GetValueOrDefault((c.Vuln, c.Version)) ?? [])
                .Where(f => g.Claims.Any(c => GroundTruth.SamePackage(c.Package, GroundTruth.Names(f))))
                .Distinct().ToList();
            var scanners = hits.SelectMany(h => h.Scanners).ToHashSet(StringComparer.OrdinalIgnoreCase);
            if (hits.Count != 1 || !g.Scanners.IsSubsetOf(scanners))
                missed.Add($"{g.Claims[0].Vuln} {g.Claims[0].Package} {g.Claims[0].Version}: {hits.Count} findings, scanners {string.Join(",", scanners)} (want {string.Join(",", g.Scanners)})");
        }
        var overMerged = findings.Where(f => f.Vulnerability.Aliases.Append(f.Vulnerability.Id).Count(VulnIsCve) > 1).ToList();
        // No finding merges two different packages: every scanner's own package name on it names the same package.
        var overMergedPackages = findings.Where(f =>
        {
            var names = f.Observations.Select(o => GroundTruth.RawName(o.RawPackageName)).Distinct().ToList();
            return names.Any(a => names.Any(b => !GroundTruth.SamePackage(a, b) && !GroundTruth.SamePackage(a, GroundTruth.Names(f)) ));
        }).Select(f => $"{f.Vulnerability.Id} {string.Join(" | ", f.Observations.Select(o => o.RawPackageName))}").ToList();

        var perScanner = string.Join(", ", claims.GroupBy(c => c.Scanner).Select(g => $"{g.Key} {g.Select(c => (c.Vuln, c.Package, c.Version)).Distinct().Count()}"));
        output.WriteLine($"{set}: claims {perScanner}; expected findings {expected.Count} ({multi.Count} seen by several scanners); findings produced {findings.Count}");
        foreach (var m in missed.Take(10)) output.WriteLine("missed merge: " + m);

        Assert.Empty(missed);
        Assert.Empty(overMerged);
        Assert.Empty(overMergedPackages);
        Assert.Equal(expected.Count, findings.Count);
        TestDatabases.ClearPools();
    }

    private static bool VulnIsCve(string id) => id.StartsWith("CVE-", StringComparison.Ordinal);

    /// <summary>Claims computed from raw JSON with JsonDocument, by rules written down independently of the product:
    /// a record is evidence for each CVE it names; a non-CVE record naming one CVE is that CVE (it is its alias);
    /// OS packages use the binary name; Maven uses group:artifact; versions lose a leading v/go.</summary>
    internal static partial class GroundTruth
    {
        public sealed record Claim(string Scanner, string Vuln, string Package, string Version, IReadOnlyList<string> OtherIds);

        public sealed record ClaimGroup(List<Claim> Claims, HashSet<string> Scanners);

        private static readonly HashSet<string> OsManagers = ["deb", "dpkg", "apk", "rpm", "debian", "ubuntu", "alpine", "linux", "rhel", "centos", "amzn", "sles", "wolfi", "chainguard", "apt"];

        public static string NormVersion(string? v) => VersionPrefix().Replace((v ?? "").Trim(), "");

        public static IEnumerable<Claim> Claims(string scanner, string path)
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { MaxDepth = 256 });
            var root = doc.RootElement;
            var list = new List<Claim>();
            switch (scanner)
            {
                case "trivy":
                    foreach (var r in TrivyResults(root))
                        if (r.TryGetProperty("Vulnerabilities", out var vs) && vs.ValueKind == JsonValueKind.Array)
                            foreach (var v in vs.EnumerateArray())
                            {
                                var id = Str(v, "VulnerabilityID");
                                var name = Str(v, "PkgName");
                                if (id is null || name is null) continue;
                                list.Add(new Claim("trivy", id, name.ToLowerInvariant(), NormVersion(Str(v, "InstalledVersion")), []));
                            }
                    break;
                case "grype":
                    foreach (var m in root.GetProperty("matches").EnumerateArray())
                    {
                        var vid = m.GetProperty("vulnerability").GetProperty("id").GetString()!;
                        var related = m.TryGetProperty("relatedVulnerabilities", out var rel) && rel.ValueKind == JsonValueKind.Array
                            ? rel.EnumerateArray().Select(x => Str(x, "id")).OfType<string>().ToList() : [];
                        var cves = VulnIsCve(vid) ? [vid] : related.Where(VulnIsCve).Distinct().Order(StringComparer.Ordinal).ToList();
                        var ids = cves.Count > 0 ? cves : [vid];
                        var a = m.GetProperty("artifact");
                        var name = a.GetProperty("name").GetString()!.ToLowerInvariant();
                        var mm = MavenPurl().Match(Str(a, "purl") ?? "");
                        if (mm.Success) name = $"{mm.Groups[1].Value}:{mm.Groups[2].Value}".ToLowerInvariant();
                        // A non-CVE record naming exactly one CVE is an alias of it.
                        var others = cves.Count == 1 && !VulnIsCve(vid) ? new List<string> { vid } : [];
                        foreach (var i in ids) list.Add(new Claim("grype", i, name, NormVersion(Str(a, "version")), others));
                    }
                    break;
                case "snyk":
                    var projects = root.ValueKind == JsonValueKind.Array ? root.EnumerateArray().ToList() : [root];
                    projects.AddRange(projects.Where(p => p.TryGetProperty("applications", out var apps) && apps.ValueKind == JsonValueKind.Array)
                        .SelectMany(p => p.GetProperty("applications").EnumerateArray()).ToList());
                    foreach (var p in projects)
                    {
                        var manager = (Str(p, "packageManager") ?? "").ToLowerInvariant();
                        if (!p.TryGetProperty("vulnerabilities", out var vs) || vs.ValueKind != JsonValueKind.Array) continue;
                        foreach (var v in vs.EnumerateArray())
                        {
                            var name = Str(v, "name") ?? Str(v, "packageName") ?? "";
                            if (OsManagers.Contains(manager)) name = name.Split('/')[^1];
                            var id = Str(v, "id")!;
                            var cves = v.TryGetProperty("identifiers", out var ident) && ident.TryGetProperty("CVE", out var c) && c.ValueKind == JsonValueKind.Array
                                ? c.EnumerateArray().Select(x => x.GetString()).OfType<string>().ToList() : [];
                            var ghsa = ident.ValueKind == JsonValueKind.Object && ident.TryGetProperty("GHSA", out var g) && g.ValueKind == JsonValueKind.Array
                                ? g.EnumerateArray().Select(x => x.GetString()).OfType<string>().ToList() : [];
                            var others = cves.Count == 1 ? ghsa.Append(id).ToList() : cves.Count == 0 ? ghsa : [];
                            foreach (var cve in cves.Count > 0 ? cves : [id])
                                list.Add(new Claim("snyk", cve, name.ToLowerInvariant(), NormVersion(Str(v, "version")), others));
                        }
                    }
                    break;
            }
            return list;
        }

        private static IEnumerable<JsonElement> TrivyResults(JsonElement root)
        {
            if (root.ValueKind == JsonValueKind.Array) return root.EnumerateArray();
            if (root.ValueKind != JsonValueKind.Object) return [];
            return root.TryGetProperty("Results", out var r) && r.ValueKind == JsonValueKind.Array ? r.EnumerateArray() : [];
        }

        private static string? Str(JsonElement e, string name) =>
            e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

        /// <summary>Same package: equal names, or a Go-style path that is a prefix of the other (module vs package path).</summary>
        public static bool SamePackage(string a, string b) =>
            a == b || (a.Contains('/') && b.Contains('/') && (a.StartsWith(b + "/", StringComparison.Ordinal) || b.StartsWith(a + "/", StringComparison.Ordinal)));

        public static bool SamePackage(string a, IEnumerable<string> names) => names.Any(n => SamePackage(a, n));

        /// <summary>A scanner's own package name in the ground truth's spelling (lower case, binary of "source/binary").</summary>
        public static string RawName(string? name)
        {
            var n = (name ?? "").ToLowerInvariant();
            return n.Contains('/') && !n.Contains('.') ? n.Split('/')[^1] : n;
        }

        public static IEnumerable<string> Names(FindingView f)
        {
            var name = f.Package.Name.ToLowerInvariant();
            yield return name;
            yield return name.Split('/')[^1];
            var mm = MavenPurl().Match(f.Package.Purl);
            if (mm.Success) yield return $"{mm.Groups[1].Value}:{mm.Groups[2].Value}".ToLowerInvariant();
        }

        /// <summary>Claims of the same version on the same package merge when their ids are equal or aliases of each other
        /// (aliases as the raw reports state them); two CVEs never merge.</summary>
        public static List<ClaimGroup> Group(List<Claim> claims)
        {
            // Alias union over ids, refusing to join two CVEs.
            var parent = new Dictionary<string, string>(StringComparer.Ordinal);
            string Find(string x)
            {
                if (!parent.TryGetValue(x, out var p)) { parent[x] = x; return x; }
                return p == x ? x : parent[x] = Find(p);
            }
            var cveOf = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var c in claims)
                foreach (var other in c.OtherIds)
                {
                    var (ra, rb) = (Find(c.Vuln), Find(other));
                    if (ra == rb) continue;
                    var ca = cveOf.GetValueOrDefault(ra) ?? (VulnIsCve(ra) ? ra : null);
                    var cb = cveOf.GetValueOrDefault(rb) ?? (VulnIsCve(rb) ? rb : null);
                    if (ca is not null && cb is not null && ca != cb) continue;
                    parent[rb] = ra;
                    cveOf[ra] = ca ?? cb;
                }

            var groups = new List<ClaimGroup>();
            foreach (var byVuln in claims.GroupBy(c => (Root: Find(c.Vuln), c.Version)))
            {
                var local = new List<ClaimGroup>();
                foreach (var c in byVuln)
                {
                    var g = local.FirstOrDefault(x => x.Claims.Any(y => SamePackage(y.Package, c.Package)));
                    if (g is null) local.Add(g = new ClaimGroup([], new HashSet<string>(StringComparer.OrdinalIgnoreCase)));
                    g.Claims.Add(c);
                    g.Scanners.Add(c.Scanner);
                }
                groups.AddRange(local);
            }
            return groups;
        }

        [GeneratedRegex(@"^(v|go)(?=\d)")]
        private static partial Regex VersionPrefix();

        [GeneratedRegex(@"pkg:maven/([^/@]+)/([^@?]+)")]
        private static partial Regex MavenPurl();
    }
}
