using System.Buffers;
using System.Text.Json;

namespace Triage.Core.Demo;

/// <summary>
/// A small, deterministic demo written for this repository: a fictional shop's images (a Go API on Debian and its
/// distroless successor, a Node storefront, a Python ledger) scanned by Trivy, Grype and Snyk, as real-format JSON
/// reports that go through the normal import path. The CVEs are real and attached to the packages they affect, so
/// cross-scanner dedup, aliases, upstream advisories and fix disagreements all show.
/// </summary>
public static class DemoDataset
{
    public sealed record DemoReport(string FileName, string Scanner, byte[] Json);

    private sealed record Pkg(string Type, string Name, string Version, string? Source = null, string? Namespace = null);

    private sealed record Vuln(string Cve, string? Ghsa, string? SnykId, string Severity, string? FixedIn, string Title, double Cvss,
        string? Advisory = null, string TrivyStatus = "fixed");

    private sealed record Image(string Name, string Tag, string Digest, string Os, string OsVersion, IReadOnlyList<(Pkg Pkg, Vuln[] Vulns)> Contents);

    private static readonly DateTimeOffset ScanTime = new(2026, 11, 20, 9, 30, 0, TimeSpan.Zero);

    // Debian 12 base packages shared by the images built on it.
    private static readonly (Pkg, Vuln[])[] DebianBase =
    [
        (new Pkg("deb", "libc6", "2.36-9+deb12u1", "glibc"), [
            new("CVE-2023-4911", null, "SNYK-DEBIAN12-GLIBC-5927133", "HIGH", "2.36-9+deb12u3", "glibc: buffer overflow in ld.so leading to privilege escalation (Looney Tunables)", 7.8, "DSA-5514-1"),
            new("CVE-2024-2961", null, null, "HIGH", "2.36-9+deb12u7", "glibc: out of bounds write in iconv may lead to remote code execution", 8.8, "DSA-5673-1"),
        ]),
        (new Pkg("deb", "libssl3", "3.0.11-1~deb12u1", "openssl"), [
            new("CVE-2023-5678", null, null, "MEDIUM", "3.0.13-1~deb12u1", "openssl: generating excessively long X9.42 DH keys is slow", 5.3, "DSA-5641-1"),
            new("CVE-2024-5535", null, null, "LOW", null, "openssl: SSL_select_next_proto buffer overread", 9.1, TrivyStatus: "affected"),
        ]),
        (new Pkg("deb", "openssl", "3.0.11-1~deb12u1", "openssl"), [
            new("CVE-2023-5678", null, null, "MEDIUM", "3.0.13-1~deb12u1", "openssl: generating excessively long X9.42 DH keys is slow", 5.3, "DSA-5641-1"),
        ]),
        (new Pkg("deb", "libcurl4", "7.88.1-10+deb12u3", "curl"), [
            new("CVE-2023-38545", null, null, "CRITICAL", "7.88.1-10+deb12u4", "curl: heap based buffer overflow in the SOCKS5 proxy handshake", 9.8, "DSA-5523-1"),
            new("CVE-2023-38546", null, null, "LOW", "7.88.1-10+deb12u4", "curl: cookie injection with none file", 3.7, "DSA-5523-1"),
        ]),
        (new Pkg("deb", "zlib1g", "1:1.2.13.dfsg-1", "zlib"), [
            new("CVE-2023-45853", null, null, "CRITICAL", null, "zlib: integer overflow and heap buffer overflow in zipOpenNewFileInZip4_6", 9.8, TrivyStatus: "will_not_fix"),
        ]),
        (new Pkg("deb", "perl-base", "5.36.0-7", "perl"), [
            new("CVE-2023-31484", null, null, "HIGH", null, "perl: CPAN.pm does not verify TLS certificates when downloading distributions", 8.1, TrivyStatus: "affected"),
        ]),
    ];

    private static readonly (Pkg, Vuln[])[] GoService =
    [
        (new Pkg("golang", "golang.org/x/net", "v0.15.0"), [
            new("CVE-2023-39325", "GHSA-4374-p667-p6c8", "SNYK-GOLANG-GOLANGORGXNETHTTP2-5953327", "HIGH", "0.17.0", "golang.org/x/net: HTTP/2 rapid reset can cause excessive work in net/http", 7.5),
            new("CVE-2023-45288", "GHSA-4v7x-pqxf-cx7m", null, "MEDIUM", "0.23.0", "golang.org/x/net: HTTP/2 CONTINUATION flood", 5.3),
        ]),
        (new Pkg("golang", "google.golang.org/grpc", "v1.58.2"), [
            new("CVE-2023-44487", "GHSA-m425-mq94-257g", null, "HIGH", "1.58.3", "gRPC-Go HTTP/2 Rapid Reset vulnerability", 7.5),
        ]),
        (new Pkg("golang", "stdlib", "v1.21.3"), [
            new("CVE-2024-24790", null, null, "CRITICAL", "1.21.11", "net/netip: unexpected behavior from Is methods for IPv4-mapped IPv6 addresses", 9.8),
            new("CVE-2023-45288", null, null, "MEDIUM", "1.21.9", "net/http: HTTP/2 CONTINUATION flood", 5.3),
        ]),
    ];

    private static readonly (Pkg, Vuln[])[] NodeApp =
    [
        (new Pkg("npm", "lodash", "4.17.20"), [
            new("CVE-2021-23337", "GHSA-35jh-r3h4-6jhm", "SNYK-JS-LODASH-1040724", "HIGH", "4.17.21", "lodash: command injection via template", 7.2),
        ]),
        (new Pkg("npm", "jsonwebtoken", "8.5.1"), [
            new("CVE-2022-23529", "GHSA-27h2-hvpr-p74q", "SNYK-JS-JSONWEBTOKEN-3180020", "HIGH", "9.0.0", "jsonwebtoken: unrestricted key type could lead to legacy keys usage", 7.6),
        ]),
        (new Pkg("npm", "semver", "7.5.1"), [
            new("CVE-2022-25883", "GHSA-c2qf-rxjj-qqgw", "SNYK-JS-SEMVER-3247795", "MEDIUM", "7.5.2", "semver: regular expression denial of service", 5.3),
        ]),
        (new Pkg("npm", "qs", "6.7.0"), [
            new("CVE-2022-24999", "GHSA-hrpp-h998-j3pp", "SNYK-JS-QS-3153490", "HIGH", "6.7.3", "qs: prototype poisoning causes denial of service", 7.5),
        ]),
    ];

    private static readonly (Pkg, Vuln[])[] PythonApp =
    [
        (new Pkg("pypi", "requests", "2.25.1"), [
            new("CVE-2023-32681", "GHSA-j8r2-6x86-q33q", null, "MEDIUM", "2.31.0", "requests: Proxy-Authorization header leaked to destination on redirect", 6.1),
        ]),
        (new Pkg("pypi", "urllib3", "1.26.4"), [
            new("CVE-2023-43804", "GHSA-v845-jxx5-vc9f", null, "HIGH", "1.26.17", "urllib3: Cookie request header not stripped on cross-origin redirects", 8.1),
        ]),
        (new Pkg("pypi", "PyYAML", "5.3.1"), [
            new("CVE-2020-14343", "GHSA-8q59-q68h-6hv4", null, "CRITICAL", "5.4", "PyYAML: incomplete fix for arbitrary code execution in full_load", 9.8),
        ]),
    ];

    private static readonly Image[] Images =
    [
        new("registry.example/shop/checkout-api", "1.4.0", Digest('a'), "debian", "12.2", [.. DebianBase, .. GoService]),
        // The distroless successor: the Debian userland is gone, Go modules upgraded.
        new("registry.example/shop/checkout-api", "1.5.0", Digest('b'), "debian", "12.8",
            [(new Pkg("deb", "libc6", "2.36-9+deb12u9", "glibc"), []), (new Pkg("golang", "stdlib", "v1.22.4"), [
                new("CVE-2024-24791", null, null, "MEDIUM", "1.22.5", "net/http: denial of service due to improper 100-continue handling", 7.5)])]),
        new("registry.example/shop/storefront", "2.3.1", Digest('c'), "debian", "12.2", [.. DebianBase.Take(4), .. NodeApp]),
        new("registry.example/payments/ledger", "3.2.0", Digest('d'), "debian", "12.2", [.. DebianBase.Take(3), .. PythonApp]),
    ];

    private static string Digest(char c) => "sha256:" + new string(c, 4) + string.Concat(Enumerable.Repeat("5eed", 15));

    /// <summary>The demo reports, in the order to import them.</summary>
    public static IReadOnlyList<DemoReport> Reports()
    {
        var list = new List<DemoReport>();
        foreach (var img in Images)
        {
            var slug = img.Name[(img.Name.LastIndexOf('/') + 1)..] + "-" + img.Tag;
            list.Add(new DemoReport($"{slug}.trivy.json", "trivy", Trivy(img)));
            if (img.Tag is "1.4.0" or "2.3.1") list.Add(new DemoReport($"{slug}.grype.json", "grype", Grype(img)));
            if (img.Tag is "2.3.1") list.Add(new DemoReport($"{slug}.snyk.json", "snyk", Snyk(img)));
        }
        return list;
    }

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true })) body(w);
        return buffer.WrittenSpan.ToArray();
    }

    private static string Purl(Pkg p) => p.Type switch
    {
        "deb" => $"pkg:deb/debian/{p.Name}@{Uri.EscapeDataString(p.Version)}?arch=amd64&distro=debian-12",
        "golang" => p.Name == "stdlib" ? $"pkg:golang/stdlib@{p.Version}" : $"pkg:golang/{p.Name}@{p.Version}",
        "npm" => $"pkg:npm/{p.Name}@{p.Version}",
        "pypi" => $"pkg:pypi/{p.Name.ToLowerInvariant()}@{p.Version}",
        _ => $"pkg:{p.Type}/{p.Name}@{p.Version}",
    };

    private static byte[] Trivy(Image img) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("SchemaVersion", 2);
        w.WriteString("CreatedAt", ScanTime);
        w.WriteString("ArtifactName", $"{img.Name}:{img.Tag}");
        w.WriteString("ArtifactType", "container_image");
        w.WriteStartObject("Metadata");
        w.WriteStartObject("OS");
        w.WriteString("Family", img.Os);
        w.WriteString("Name", img.OsVersion);
        w.WriteEndObject();
        w.WriteString("ImageID", "sha256:" + new string('0', 8) + img.Digest[15..]);
        w.WriteStartArray("RepoTags");
        w.WriteStringValue($"{img.Name}:{img.Tag}");
        w.WriteEndArray();
        w.WriteStartArray("RepoDigests");
        w.WriteStringValue($"{img.Name}@{img.Digest}");
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteStartObject("Trivy");
        w.WriteString("Version", "0.58.1");
        w.WriteEndObject();
        w.WriteStartArray("Results");
        foreach (var group in img.Contents.GroupBy(c => c.Pkg.Type))
        {
            w.WriteStartObject();
            var os = group.Key == "deb";
            w.WriteString("Target", os ? $"{img.Name}:{img.Tag} ({img.Os} {img.OsVersion})" : group.Key switch
            {
                "golang" => "app/checkout",
                "npm" => "app/package-lock.json",
                "pypi" => "app/requirements.txt",
                _ => group.Key,
            });
            w.WriteString("Class", os ? "os-pkgs" : "lang-pkgs");
            w.WriteString("Type", group.Key switch { "deb" => "debian", "golang" => "gobinary", "npm" => "npm", "pypi" => "pip", _ => group.Key });
            w.WriteStartArray("Vulnerabilities");
            foreach (var (pkg, vulns) in group)
                foreach (var v in vulns)
                {
                    w.WriteStartObject();
                    w.WriteString("VulnerabilityID", v.Cve);
                    if (v.Advisory is not null)
                    {
                        w.WriteStartArray("VendorIDs");
                        w.WriteStringValue(v.Advisory);
                        w.WriteEndArray();
                    }
                    w.WriteString("PkgID", $"{pkg.Name}@{pkg.Version}");
                    w.WriteString("PkgName", pkg.Name);
                    w.WriteStartObject("PkgIdentifier");
                    w.WriteString("PURL", Purl(pkg));
                    w.WriteEndObject();
                    w.WriteString("InstalledVersion", pkg.Version);
                    if (v.FixedIn is not null) w.WriteString("FixedVersion", v.FixedIn);
                    w.WriteString("Status", v.FixedIn is null ? v.TrivyStatus : "fixed");
                    w.WriteString("SeveritySource", os ? "debian" : "ghsa");
                    w.WriteString("PrimaryURL", $"https://avd.aquasec.com/nvd/{v.Cve.ToLowerInvariant()}");
                    w.WriteString("Title", v.Title);
                    w.WriteString("Description", v.Title + ". See the references for the affected versions and the fix.");
                    w.WriteString("Severity", v.Severity);
                    w.WriteStartObject("CVSS");
                    w.WriteStartObject("nvd");
                    w.WriteString("V3Vector", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
                    w.WriteNumber("V3Score", v.Cvss);
                    w.WriteEndObject();
                    w.WriteEndObject();
                    w.WriteStartArray("References");
                    w.WriteStringValue($"https://nvd.nist.gov/vuln/detail/{v.Cve}");
                    w.WriteEndArray();
                    w.WriteString("PublishedDate", "2023-10-10T00:00:00Z");
                    w.WriteEndObject();
                }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static byte[] Grype(Image img) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("matches");
        foreach (var (pkg, vulns) in img.Contents)
            foreach (var v in vulns)
            {
                // Grype reports language packages under their GHSA, with the CVE as a related vulnerability.
                var useGhsa = pkg.Type != "deb" && v.Ghsa is not null;
                w.WriteStartObject();
                w.WriteStartObject("vulnerability");
                w.WriteString("id", useGhsa ? v.Ghsa : v.Cve);
                w.WriteString("dataSource", useGhsa ? $"https://github.com/advisories/{v.Ghsa}" : $"https://security-tracker.debian.org/tracker/{v.Cve}");
                w.WriteString("namespace", useGhsa ? $"github:language:{pkg.Type}" : "debian:distro:debian:12");
                // Grype and Trivy disagree sometimes; the demo shows one such case.
                w.WriteString("severity", v.Cve == "CVE-2024-5535" ? "Critical" : Capitalize(v.Severity));
                w.WriteStartObject("fix");
                w.WriteStartArray("versions");
                if (v.FixedIn is not null) w.WriteStringValue(v.FixedIn);
                w.WriteEndArray();
                w.WriteString("state", v.FixedIn is not null ? "fixed" : v.TrivyStatus == "will_not_fix" ? "wont-fix" : "not-fixed");
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteStartArray("relatedVulnerabilities");
                w.WriteStartObject();
                w.WriteString("id", v.Cve);
                w.WriteString("namespace", "nvd:cpe");
                w.WriteString("description", v.Title);
                w.WriteStartArray("cvss");
                w.WriteStartObject();
                w.WriteString("version", "3.1");
                w.WriteString("vector", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
                w.WriteStartObject("metrics");
                w.WriteNumber("baseScore", v.Cvss);
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteStartArray("matchDetails");
                w.WriteStartObject();
                w.WriteString("type", pkg.Type == "deb" ? "exact-indirect-match" : "exact-direct-match");
                w.WriteString("matcher", pkg.Type == "deb" ? "dpkg-matcher" : $"{pkg.Type}-matcher");
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteStartObject("artifact");
                w.WriteString("name", pkg.Name);
                w.WriteString("version", pkg.Type == "golang" && pkg.Name == "stdlib" ? "go" + pkg.Version.TrimStart('v') : pkg.Version);
                w.WriteString("type", pkg.Type switch { "deb" => "deb", "golang" => "go-module", "npm" => "npm", "pypi" => "python", _ => pkg.Type });
                w.WriteString("purl", Purl(pkg));
                w.WriteStartArray("locations");
                w.WriteStartObject();
                w.WriteString("path", pkg.Type == "deb" ? $"/var/lib/dpkg/status.d/{pkg.Name}" : "/app");
                w.WriteEndObject();
                w.WriteEndArray();
                if (pkg.Source is not null)
                {
                    w.WriteStartArray("upstreams");
                    w.WriteStartObject();
                    w.WriteString("name", pkg.Source);
                    w.WriteEndObject();
                    w.WriteEndArray();
                }
                w.WriteEndObject();
                w.WriteEndObject();
            }
        w.WriteEndArray();
        w.WriteStartObject("source");
        w.WriteString("type", "image");
        w.WriteStartObject("target");
        w.WriteString("userInput", $"{img.Name}:{img.Tag}");
        w.WriteString("imageID", "sha256:" + new string('0', 8) + img.Digest[15..]);
        w.WriteStartArray("tags");
        w.WriteStringValue($"{img.Name}:{img.Tag}");
        w.WriteEndArray();
        w.WriteStartArray("repoDigests");
        w.WriteStringValue($"{img.Name}@{img.Digest}");
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteStartObject("distro");
        w.WriteString("name", img.Os);
        w.WriteString("version", img.OsVersion.Split('.')[0]);
        w.WriteEndObject();
        w.WriteStartObject("descriptor");
        w.WriteString("name", "grype");
        w.WriteString("version", "0.86.1");
        w.WriteEndObject();
        w.WriteEndObject();
    });

    private static byte[] Snyk(Image img) => Write(w =>
    {
        // `snyk container test --json`: OS packages in the image project, application dependencies under applications[].
        w.WriteStartObject();
        SnykVulnerabilities(w, img, img.Contents.Where(c => c.Pkg.Type == "deb"));
        w.WriteBoolean("ok", false);
        w.WriteNumber("dependencyCount", img.Contents.Count(c => c.Pkg.Type == "deb"));
        w.WriteString("packageManager", "deb");
        w.WriteString("projectName", $"docker-image|{img.Name}");
        w.WriteString("path", $"{img.Name}:{img.Tag}");
        w.WriteStartObject("docker");
        w.WriteString("baseImage", "node:20-bookworm-slim");
        w.WriteEndObject();
        w.WriteStartArray("applications");
        foreach (var group in img.Contents.Where(c => c.Pkg.Type != "deb").GroupBy(c => c.Pkg.Type))
        {
            w.WriteStartObject();
            SnykVulnerabilities(w, img, group);
            w.WriteBoolean("ok", false);
            w.WriteNumber("dependencyCount", group.Count());
            w.WriteString("packageManager", group.Key);
            w.WriteString("targetFile", group.Key == "npm" ? "/app/package.json" : "/app");
            w.WriteString("projectName", "storefront");
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static void SnykVulnerabilities(Utf8JsonWriter w, Image img, IEnumerable<(Pkg Pkg, Vuln[] Vulns)> contents)
    {
        w.WriteStartArray("vulnerabilities");
        foreach (var (pkg, vulns) in contents)
            foreach (var v in vulns)
            {
                var id = v.SnykId ?? $"SNYK-DEBIAN12-{(pkg.Source ?? pkg.Name).ToUpperInvariant()}-{StableNumber(v.Cve)}";
                w.WriteStartObject();
                w.WriteString("id", id);
                w.WriteString("title", v.Title);
                w.WriteString("severity", v.Severity.ToLowerInvariant());
                w.WriteNumber("cvssScore", v.Cvss);
                w.WriteString("CVSSv3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
                w.WriteStartObject("identifiers");
                w.WriteStartArray("CVE");
                w.WriteStringValue(v.Cve);
                w.WriteEndArray();
                w.WriteStartArray("GHSA");
                if (v.Ghsa is not null) w.WriteStringValue(v.Ghsa);
                w.WriteEndArray();
                w.WriteEndObject();
                var name = pkg.Type == "deb" ? $"{pkg.Source ?? pkg.Name}/{pkg.Name}" : pkg.Name;
                w.WriteString("packageName", name);
                w.WriteString("name", name);
                w.WriteString("version", pkg.Version);
                w.WriteString("packageManager", pkg.Type == "deb" ? "deb" : pkg.Type);
                w.WriteString("language", pkg.Type == "deb" ? "linux" : pkg.Type == "npm" ? "js" : pkg.Type);
                w.WriteStartArray("fixedIn");
                if (v.FixedIn is not null) w.WriteStringValue(v.FixedIn);
                w.WriteEndArray();
                w.WriteBoolean("isUpgradable", v.FixedIn is not null && pkg.Type != "deb");
                w.WriteStartArray("from");
                w.WriteStringValue($"storefront@{img.Tag}");
                w.WriteStringValue($"{pkg.Name}@{pkg.Version}");
                w.WriteEndArray();
                w.WriteEndObject();
            }
        w.WriteEndArray();
    }

    /// <summary>A stable number for made-up Snyk ids (string.GetHashCode is randomised per process).</summary>
    private static int StableNumber(string s)
    {
        var h = 17;
        foreach (var ch in s) h = unchecked(h * 31 + ch);
        return Math.Abs(h % 9000000) + 1000000;
    }

    private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();
}
