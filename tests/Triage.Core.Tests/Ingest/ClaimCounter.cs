using System.Text.Json;
using System.Text.RegularExpressions;
using Triage.Core.Domain;
using Triage.Core.Ingest;

namespace Triage.Core.Tests.Ingest;

/// <summary>
/// Counts the (vulnerability, package, version) claims of a report twice, by the rules of the acceptance checks'
/// ../shared/checks/lib/groundtruth.py: once from the raw JSON with <see cref="JsonDocument"/> (independent of the
/// parsers), once from a <see cref="ParsedReport"/>. A claim uses the CVE ids a record names (Snyk identifiers.CVE,
/// Grype related CVEs when the id is not a CVE), else the record's own id; lower-cased package names, OS packages by
/// binary name, maven as group:artifact; versions without a leading "v"/"go" before a digit.
/// </summary>
internal static partial class ClaimCounter
{
    private static readonly HashSet<string> OsManagers =
        ["deb", "dpkg", "apk", "rpm", "debian", "ubuntu", "alpine", "linux", "rhel", "centos", "amzn", "sles", "wolfi", "chainguard", "apt"];

    [GeneratedRegex("^(v|go)(?=\\d)")]
    private static partial Regex VersionPrefix();

    [GeneratedRegex("^pkg:maven/([^/@]+)/([^@?]+)")]
    private static partial Regex MavenPurl();

    public static string NormVersion(string? v) => VersionPrefix().Replace((v ?? "").Trim(), "");

    // ------------------------------------------------------------ from the raw JSON

    public static HashSet<(string, string, string)> FromJson(ScannerKind scanner, string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.AsSpan().Trim(" \t\r\n"u8).IsEmpty) return [];
        using var doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 256 });
        var set = new HashSet<(string, string, string)>();
        switch (scanner)
        {
            case ScannerKind.Trivy: Trivy(doc.RootElement, set); break;
            case ScannerKind.Grype: Grype(doc.RootElement, set); break;
            case ScannerKind.Snyk: Snyk(doc.RootElement, set); break;
        }
        return set;
    }

    private static IEnumerable<JsonElement> Items(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var a) && a.ValueKind == JsonValueKind.Array ? a.EnumerateArray() : [];

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static void Trivy(JsonElement root, HashSet<(string, string, string)> set)
    {
        IEnumerable<JsonElement> results = root.ValueKind switch
        {
            JsonValueKind.Array => root.EnumerateArray(),
            JsonValueKind.Object when root.TryGetProperty("ClusterName", out _) =>
                Items(root, "Resources").Concat(Items(root, "Vulnerabilities")).SelectMany(r => Items(r, "Results")),
            JsonValueKind.Object => Items(root, "Results"),
            _ => [],
        };
        foreach (var r in results)
        foreach (var v in Items(r, "Vulnerabilities"))
        {
            var id = Str(v, "VulnerabilityID");
            var name = Str(v, "PkgName");
            if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(name)) continue;
            set.Add((id, name.ToLowerInvariant(), NormVersion(Str(v, "InstalledVersion"))));
        }
    }

    private static void Grype(JsonElement root, HashSet<(string, string, string)> set)
    {
        foreach (var m in Items(root, "matches"))
        {
            var id = Str(m.GetProperty("vulnerability"), "id")!;
            var related = Items(m, "relatedVulnerabilities").Select(r => Str(r, "id") ?? "").ToList();
            var ids = id.StartsWith("CVE-", StringComparison.Ordinal)
                ? [id]
                : related.Where(x => x.StartsWith("CVE-", StringComparison.Ordinal)).Distinct().Order(StringComparer.Ordinal).DefaultIfEmpty(id).ToList();
            var a = m.GetProperty("artifact");
            var name = Str(a, "name")!.ToLowerInvariant();
            var mm = MavenPurl().Match(Str(a, "purl") ?? "");
            if (mm.Success) name = $"{mm.Groups[1].Value}:{mm.Groups[2].Value}".ToLowerInvariant();
            foreach (var i in ids) set.Add((i, name, NormVersion(Str(a, "version"))));
        }
    }

    private static void Snyk(JsonElement root, HashSet<(string, string, string)> set)
    {
        var projects = root.ValueKind == JsonValueKind.Array ? root.EnumerateArray().ToList() : [root];
        projects.AddRange(projects.SelectMany(p => Items(p, "applications")).ToList());
        foreach (var p in projects)
        {
            var manager = (Str(p, "packageManager") ?? "").ToLowerInvariant();
            foreach (var v in Items(p, "vulnerabilities"))
            {
                var name = Str(v, "name") ?? Str(v, "packageName") ?? "";
                var id = Str(v, "id");
                // The parsers skip records without an id or package name (with a warning); so does this count.
                if (string.IsNullOrEmpty(id) || name.Length == 0) continue;
                if (OsManagers.Contains(manager)) name = name.Split('/')[^1];
                var cves = v.TryGetProperty("identifiers", out var ids) ? Items(ids, "CVE").Select(c => c.GetString()!).ToList() : [];
                if (cves.Count == 0) cves = [id];
                foreach (var c in cves) set.Add((c, name.ToLowerInvariant(), NormVersion(Str(v, "version"))));
            }
        }
    }

    // ------------------------------------------------------------ from the parsed report

    /// <summary>The same claims from parser output, expanding each observation the way groundtruth.py expands records.</summary>
    public static HashSet<(string, string, string)> FromParsed(ParsedReport report)
    {
        var set = new HashSet<(string, string, string)>();
        foreach (var t in report.Targets)
        foreach (var o in t.Observations.Values)
        {
            var pkg = t.Packages[o.PackageKey];
            var name = pkg.Name.ToLowerInvariant();
            if (report.Scanner == ScannerKind.Grype && MavenPurl().Match(pkg.Purl ?? "") is { Success: true } mm)
                name = $"{mm.Groups[1].Value}:{mm.Groups[2].Value}".ToLowerInvariant();
            IEnumerable<string> ids = report.Scanner == ScannerKind.Trivy || o.VulnerabilityId.StartsWith("CVE-", StringComparison.Ordinal)
                ? [o.VulnerabilityId]
                : o.Aliases.Where(a => a.StartsWith("CVE-", StringComparison.Ordinal)).DefaultIfEmpty(o.VulnerabilityId);
            foreach (var id in ids) set.Add((id, name, NormVersion(pkg.Version)));
        }
        return set;
    }
}
