using System.Text.Json;

namespace Triage.Core.Tests.Vex.Support;

/// <summary>
/// An independent, small re-implementation of how Trivy and Grype apply an OpenVEX document (shared/notes/peers.md
/// §2.8–2.10), written without any Triage code so it can judge our export:
/// <list type="bullet">
/// <item>vulnerability: the statement's name or an alias equals the finding's id (go-vex);</item>
/// <item>purl match (go-vex): type, namespace, name equal; a VEX version must equal the target's; every VEX qualifier must be
/// on the target with the same value; extra target qualifiers are fine;</item>
/// <item>Trivy: a product matches the package purl itself, or matches the scanned image's purl (built from RepoDigests) and
/// then, if it lists subcomponents, one of them must match the package;</item>
/// <item>Grype: products are matched against identifiers from the image context (an OCI purl per repo digest and per tag),
/// with the matched package as subcomponent;</item>
/// <item>both: the latest matching statement wins; only not_affected and fixed suppress.</item>
/// </list>
/// </summary>
public static class ScannerVexRules
{
    private sealed record P(string Type, string Ns, string Name, string? Version, Dictionary<string, string> Q);

    private sealed record Product(string Id, string[] Subcomponents);

    private sealed record Stmt(string[] VulnIds, Product[] Products, string Status, DateTimeOffset Time);

    public sealed class Document
    {
        private readonly Stmt[] _statements;

        public Document(string json)
        {
            using var d = JsonDocument.Parse(json);
            var root = d.RootElement;
            var docTime = DateTimeOffset.Parse(root.GetProperty("timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            _statements = root.GetProperty("statements").EnumerateArray().Select(s =>
            {
                var v = s.GetProperty("vulnerability");
                var ids = new[] { v.GetProperty("name").GetString()! }
                    .Concat(v.TryGetProperty("aliases", out var a) ? a.EnumerateArray().Select(x => x.GetString()!) : []).ToArray();
                var products = s.GetProperty("products").EnumerateArray().Select(p => new Product(
                    p.GetProperty("@id").GetString()!,
                    p.TryGetProperty("subcomponents", out var subs) ? subs.EnumerateArray().Select(x => x.GetProperty("@id").GetString()!).ToArray() : [])).ToArray();
                var time = s.TryGetProperty("timestamp", out var t) ? DateTimeOffset.Parse(t.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : docTime;
                return new Stmt(ids, products, s.GetProperty("status").GetString()!, time);
            }).ToArray();
        }

        /// <summary>Trivy: suppress a finding of <paramref name="packagePurl"/> in the image with these repo digests?</summary>
        public bool TrivySuppresses(IReadOnlyList<string> repoDigests, string vulnerabilityId, string packagePurl)
        {
            var artifact = repoDigests.Select(OciPurlFromReference).ToArray();
            return Suppressed(_statements.Where(s => s.VulnIds.Contains(vulnerabilityId)).Where(s => s.Products.Any(p =>
                (p.Subcomponents.Length == 0 && Matches(p.Id, packagePurl))
                || (artifact.Any(a => Matches(p.Id, a)) && (p.Subcomponents.Length == 0 || p.Subcomponents.Any(sc => Matches(sc, packagePurl)))))));
        }

        /// <summary>Grype: ignore a match of <paramref name="packagePurl"/> in the image with these repo digests and tags?</summary>
        public bool GrypeIgnores(IReadOnlyList<string> repoDigests, IReadOnlyList<string> tags, string vulnerabilityId, string packagePurl)
        {
            var identifiers = repoDigests.Select(OciPurlFromReference)
                .Concat(tags.Select(t => OciPurlFromReference(t))).ToArray();
            return Suppressed(_statements.Where(s => s.VulnIds.Contains(vulnerabilityId)).Where(s => s.Products.Any(p =>
                identifiers.Any(id => Matches(p.Id, id)) && (p.Subcomponents.Length == 0 || p.Subcomponents.Any(sc => Matches(sc, packagePurl))))));
        }

        private static bool Suppressed(IEnumerable<Stmt> matching)
        {
            var latest = matching.OrderBy(s => s.Time).LastOrDefault();
            return latest is not null && latest.Status is "not_affected" or "fixed";
        }
    }

    /// <summary>"alpine@sha256:…" or "alpine:3.19" → pkg:oci purl, with Docker's reference rules (default registry
    /// index.docker.io, "library/" for official images), as go-containerregistry names them.</summary>
    public static string OciPurlFromReference(string reference)
    {
        string? digest = null, tag = null;
        var at = reference.IndexOf('@');
        var name = reference;
        if (at >= 0) { digest = reference[(at + 1)..]; name = reference[..at]; }
        var lastSlash = name.LastIndexOf('/');
        var colon = name.LastIndexOf(':');
        if (colon > lastSlash) { tag = name[(colon + 1)..]; name = name[..colon]; }
        var parts = name.Split('/');
        string registry, repo;
        if (parts.Length > 1 && (parts[0].Contains('.') || parts[0].Contains(':') || parts[0] == "localhost")) { registry = parts[0]; repo = string.Join('/', parts[1..]); }
        else { registry = "index.docker.io"; repo = parts.Length == 1 ? "library/" + parts[0] : name; }
        var purl = $"pkg:oci/{repo.Split('/')[^1]}";
        if (digest is not null) purl += "@" + digest.Replace(":", "%3A");
        purl += $"?repository_url={registry}/{repo}";
        if (digest is null && tag is not null) purl += $"&tag={tag}";
        return purl;
    }

    /// <summary>go-vex purl matching, general → specific.</summary>
    public static bool Matches(string vexSide, string target)
    {
        var a = Parse(vexSide);
        var b = Parse(target);
        if (a is null || b is null) return vexSide == target;
        if (a.Type != b.Type || a.Ns != b.Ns || a.Name != b.Name) return false;
        if (a.Version is not null && a.Version != b.Version) return false;
        return a.Q.All(kv => b.Q.TryGetValue(kv.Key, out var v) && v == kv.Value);
    }

    private static P? Parse(string s)
    {
        if (!s.StartsWith("pkg:", StringComparison.Ordinal)) return null;
        var rest = s[4..];
        var hash = rest.IndexOf('#');
        if (hash >= 0) rest = rest[..hash];
        var q = new Dictionary<string, string>();
        var qm = rest.IndexOf('?');
        if (qm >= 0)
        {
            foreach (var kv in rest[(qm + 1)..].Split('&'))
            {
                var eq = kv.IndexOf('=');
                q[kv[..eq]] = Uri.UnescapeDataString(kv[(eq + 1)..]);
            }
            rest = rest[..qm];
        }
        string? version = null;
        var at = rest.LastIndexOf('@');
        if (at >= 0) { version = Uri.UnescapeDataString(rest[(at + 1)..]); rest = rest[..at]; }
        var segs = rest.Split('/');
        return new P(segs[0], string.Join('/', segs[1..^1].Select(Uri.UnescapeDataString)), Uri.UnescapeDataString(segs[^1]), version, q);
    }
}
