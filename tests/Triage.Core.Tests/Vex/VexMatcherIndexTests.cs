using System.Globalization;
using System.Text;
using Triage.Core.Identity;
using Triage.Core.Vex;

namespace Triage.Core.Tests.Vex;

/// <summary>
/// The matcher looks findings up by vulnerability id and packages by type and name (issue 5: documents of thousands of
/// statements). Its matches and unmatched reasons must be exactly those of the plain walk over every image, finding and
/// package that it replaced, which is kept here as the reference: random inventories and documents with aliases, ids in
/// other cases and with spaces, PyPI names spelled with '_' or '-', case-sensitive ecosystems, qualifiers, tags, shared
/// digests and subcomponents.
/// </summary>
public class VexMatcherIndexTests
{
    private static readonly DateTimeOffset Now = new(2026, 4, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly string[] Repositories = ["docker.io/library/app", "registry.example/team/app", "registry.example/team/api"];
    private static readonly string[] Digests = [.. Enumerable.Range(1, 4).Select(i => "sha256:" + new string((char)('a' + i), 64))];
    private static readonly string[] Vulns = [.. Enumerable.Range(0, 12).Select(i => $"CVE-2024-{1000 + i}"), "GHSA-aaaa-bbbb-cccc", "GHSA-dddd-eeee-ffff"];
    private static readonly (string Type, string Name)[] Packages =
    [
        ("deb", "libssl3"), ("deb", "LibXml2"), ("apk", "busybox"), ("pypi", "python_dateutil"), ("pypi", "Python-DateUtil"),
        ("npm", "lodash"), ("golang", "github.com/foo/Bar"), ("golang", "github.com/foo/bar"), ("maven", "log4j-core"),
    ];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Match_GivesTheMatchesAndReasonsOfAWalkOverEveryFindingAndPackage(int seed)
    {
        var rnd = new Random(seed);
        var images = Enumerable.Range(0, 5).Select(i => RandomImage(rnd, i)).ToList();
        var document = VexDocumentReader.Read(Encoding.UTF8.GetBytes(RandomDocument(rnd, 300)));

        var result = VexMatcher.Match(document, images, VexTrustPolicy.TrustAll, Now);
        var (matches, unmatched) = Reference(document, images);

        Assert.NotEmpty(matches);
        Assert.NotEmpty(unmatched);
        Assert.Equal(matches, result.Matches.Select(Describe));
        // No candidate image is decided before any index is used: those keep their reason, their message is not rebuilt here.
        Assert.Equal(unmatched, result.Unmatched.Select(u => $"{u.Statement.Index} {u.Product?.Id} {u.Reason} " +
            (u.Reason is VexUnmatchedReason.NoImageWithDigest or VexUnmatchedReason.NoImageInRepository or VexUnmatchedReason.ImageQualifierUnknown ? "" : u.Message)));
    }

    private static string Describe(VexMatch m) =>
        $"{m.Statement.Index} {m.Product.Id} {m.Image.Repository}@{m.Image.Digest} {m.Finding.FindingId} {m.Kind} {m.Subcomponent}";

    private static VexInventoryImage RandomImage(Random rnd, int i)
    {
        var findings = new List<VexInventoryFinding>();
        for (var f = 0; f < 40; f++)
        {
            var (type, name) = Packages[rnd.Next(Packages.Length)];
            var qualifiers = rnd.Next(3) == 0 ? "?arch=amd64&distro=debian-12" : "";
            var ids = new List<string> { Vulns[rnd.Next(Vulns.Length)] };
            if (rnd.Next(3) == 0) ids.Add(Vulns[rnd.Next(Vulns.Length)]);
            if (rnd.Next(4) == 0) ids[0] = rnd.Next(2) == 0 ? ids[0].ToLowerInvariant() : $" {ids[0]} ";
            findings.Add(new VexInventoryFinding(Purl.Parse($"pkg:{type}/{Escape(name)}@1.{rnd.Next(3)}.0{qualifiers}"), ids, $"{i}-{f}"));
        }
        var packages = Enumerable.Range(0, 5).Select(_ => Packages[rnd.Next(Packages.Length)])
            .Select(p => Purl.Parse($"pkg:{p.Type}/{Escape(p.Name)}@2.0.0")).ToArray();
        return new VexInventoryImage(Repositories[i % Repositories.Length], Digests[rnd.Next(Digests.Length)], [$"{i}.0", "latest"], findings, packages);
    }

    private static string Escape(string name) => string.Join('/', name.Split('/').Select(Uri.EscapeDataString));

    private static string RandomDocument(Random rnd, int statements)
    {
        var sb = new StringBuilder();
        sb.Append("""{"@context":"https://openvex.dev/ns/v0.2.0","@id":"https://example.com/vex/1","author":"vendor","timestamp":"2026-01-10T10:00:00Z","version":1,"statements":[""");
        for (var s = 0; s < statements; s++)
        {
            if (s > 0) sb.Append(',');
            var vuln = Vulns[rnd.Next(Vulns.Length)];
            if (rnd.Next(5) == 0) vuln = vuln.ToLowerInvariant();
            if (rnd.Next(10) == 0) vuln = "CVE-2099-0001";
            var aliases = rnd.Next(4) == 0 ? $""","aliases":["{Vulns[rnd.Next(Vulns.Length)]}"]""" : "";
            sb.Append(CultureInfo.InvariantCulture, $$"""{"vulnerability":{"name":"{{vuln}}"{{aliases}}},"products":[""");
            var products = rnd.Next(1, 3);
            for (var p = 0; p < products; p++)
            {
                if (p > 0) sb.Append(',');
                sb.Append(CultureInfo.InvariantCulture, $$"""{"@id":"{{RandomProduct(rnd)}}" """);
                if (rnd.Next(2) == 0)
                {
                    var subs = Enumerable.Range(0, rnd.Next(1, 3)).Select(_ => $$"""{"@id":"{{RandomPackage(rnd)}}"}""");
                    sb.Append(CultureInfo.InvariantCulture, $""","subcomponents":[{string.Join(',', subs)}]""");
                }
                sb.Append('}');
            }
            sb.Append("""],"status":"fixed"}""");
        }
        sb.Append("]}");
        return sb.ToString();
    }

    private static string RandomProduct(Random rnd)
    {
        if (rnd.Next(5) < 2) return RandomPackage(rnd);
        var repo = Repositories[rnd.Next(Repositories.Length)];
        var name = repo[(repo.LastIndexOf('/') + 1)..];
        var digest = rnd.Next(6) == 0 ? "sha256:" + new string('f', 64) : Digests[rnd.Next(Digests.Length)];
        return rnd.Next(13) switch
        {
            12 => $"pkg:oci/{name}?arch=amd64&repository_url={repo}",
            >= 9 => $"pkg:oci/{name}?repository_url={repo}",
            >= 6 => $"pkg:oci/{name}?repository_url={repo}&tag={(rnd.Next(2) == 0 ? "latest" : "9.9")}",
            >= 3 => $"pkg:oci/{name}@{digest.Replace(":", "%3A", StringComparison.Ordinal)}",
            _ => $"pkg:oci/{name}@{(rnd.Next(2) == 0 ? digest : digest.ToUpperInvariant()).Replace(":", "%3A", StringComparison.Ordinal)}?repository_url={repo}",
        };
    }

    private static string RandomPackage(Random rnd)
    {
        var (type, name) = rnd.Next(8) == 0 ? ("deb", "nosuchlib") : Packages[rnd.Next(Packages.Length)];
        if (rnd.Next(4) == 0) name = name.ToUpperInvariant();
        if (type == "pypi" && rnd.Next(2) == 0) name = name.Replace('_', '-');
        var version = rnd.Next(3) switch { 0 => "", 1 => $"@1.{rnd.Next(3)}.0", _ => "@2.0.0" };
        var qualifiers = rnd.Next(5) == 0 ? "?arch=amd64" : "";
        return $"pkg:{type}/{Escape(name)}{version}{qualifiers}";
    }

    /// <summary>The matcher as it was before the index: every candidate image's every finding and package, per product.</summary>
    private static (List<string> Matches, List<string> Unmatched) Reference(VexDocument document, IReadOnlyList<VexInventoryImage> images)
    {
        var matches = new List<string>();
        var unmatched = new List<string>();
        static IEnumerable<Purl> All(VexInventoryImage img) => (img.Packages ?? []).Concat(img.Findings.Select(f => f.Package));
        static Purl? First(Purl[] subs, Purl p) => subs.FirstOrDefault(s => s.Covers(p));
        foreach (var st in document.Statements)
            foreach (var product in st.Products)
            {
                var found = new List<string>();
                string? Miss(VexUnmatchedReason reason, string message) => $"{st.Index} {product.Id} {reason} {message}";
                string M(VexInventoryImage img, VexInventoryFinding f, VexMatchKind kind, Purl? sub) =>
                    $"{st.Index} {product.Id} {img.Repository}@{img.Digest} {f.FindingId} {kind} {sub}";
                var purl = product.Purl!;
                var subs = product.Subcomponents.Select(s => s.Purl).OfType<Purl>().ToArray();
                string? miss;
                if (purl.Type == "oci")
                {
                    if (purl.Qualifiers.Keys.Any(k => k is not ("repository_url" or "tag")))
                    {
                        unmatched.Add(Miss(VexUnmatchedReason.ImageQualifierUnknown, "")!);
                        continue;
                    }
                    var candidates = images.Where(img => VexMatcher.ImageMatches(purl, img)).ToArray();
                    var digest = VexMatcher.DigestOf(purl);
                    if (candidates.Length == 0)
                    {
                        unmatched.Add(Miss(digest is not null ? VexUnmatchedReason.NoImageWithDigest : VexUnmatchedReason.NoImageInRepository, "")!);
                        continue;
                    }
                    var kind = digest is not null ? VexMatchKind.ImageDigest
                        : purl.Qualifiers.ContainsKey("tag") ? VexMatchKind.ImageTag : VexMatchKind.ImageRepository;
                    foreach (var img in candidates)
                        foreach (var f in img.Findings)
                        {
                            if (!st.Vulnerability.Matches(f.VulnerabilityIds)) continue;
                            if (subs.Length == 0) found.Add(M(img, f, kind, null));
                            else if (First(subs, f.Package) is { } sub) found.Add(M(img, f, kind, sub));
                        }
                    var imgs = string.Join(", ", candidates.Select(c => c.ToString()));
                    miss = subs.Length > 0 && !candidates.Any(img => All(img).Any(p => subs.Any(s => s.Covers(p))))
                        ? Miss(VexUnmatchedReason.PackageNotInImage, $"Package {string.Join(", ", subs.Select(s => s.ToString()))} is not in {imgs}.")
                        : Miss(VexUnmatchedReason.VulnerabilityUnknown,
                            $"Vulnerability {st.Vulnerability} is not among the findings of {imgs}" + (subs.Length > 0 ? $" on {string.Join(", ", subs.Select(s => s.ToString()))}." : "."));
                }
                else
                {
                    var anyPackage = false;
                    foreach (var img in images)
                    {
                        if (subs.Length > 0 && !All(img).Any(p => purl.Covers(p))) continue;
                        foreach (var f in img.Findings)
                        {
                            var covering = subs.Length == 0 ? (purl.Covers(f.Package) ? purl : null) : First(subs, f.Package);
                            if (covering is null) continue;
                            anyPackage = true;
                            if (st.Vulnerability.Matches(f.VulnerabilityIds)) found.Add(subs.Length == 0 ? M(img, f, VexMatchKind.Package, null) : M(img, f, VexMatchKind.PackageInImage, covering));
                        }
                        anyPackage |= All(img).Any(p => subs.Length == 0 ? purl.Covers(p) : First(subs, p) is not null);
                    }
                    var what = subs.Length == 0 ? purl.ToString() : $"{string.Join(", ", subs.Select(s => s.ToString()))} in {purl}";
                    miss = anyPackage
                        ? Miss(VexUnmatchedReason.VulnerabilityUnknown, $"Vulnerability {st.Vulnerability} is not among the findings on package {what}.")
                        : Miss(VexUnmatchedReason.PackageNotInAnyImage, $"Package {what} is not in any image.");
                }
                matches.AddRange(found);
                if (found.Count == 0) unmatched.Add(miss!);
            }
        return (matches, unmatched);
    }
}
