using System.Buffers;
using System.Text.Json;

namespace Triage.Bench.Ingest;

/// <summary>Deterministic, realistic scanner reports for benchmarks: Debian-style packages with several CVEs each,
/// descriptions, CVSS, references, as Trivy and Grype write them.</summary>
internal static class ReportGenerator
{
    private static readonly string[] Words = ("buffer overflow in parser allows remote attackers to cause denial of service via crafted input " +
        "heap use after free integer overflow out of bounds read certificate validation bypass").Split(' ');
    private static readonly string[] Severities = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"];

    public sealed record Claim(string Cve, string Package, string Version, string Severity, string? Fixed, string Description, double Score);

    /// <summary>Claims spread over <paramref name="packages"/> packages; the same seed gives the same claims.</summary>
    public static List<Claim> Claims(int count, int packages, int seed)
    {
        var rnd = new Random(seed);
        var pkgs = Enumerable.Range(0, packages).Select(i => ($"lib{Pick(rnd, ["ssl", "xml", "curl", "z", "krb", "png", "gnutls", "sqlite", "expat", "pcre"])}{i}",
            $"{rnd.Next(10)}.{rnd.Next(30)}.{rnd.Next(100)}-{rnd.Next(1, 9)}+deb12u{rnd.Next(1, 5)}")).ToArray();
        var claims = new List<Claim>(count);
        var seen = new HashSet<(string, string)>();
        while (claims.Count < count)
        {
            var (name, version) = pkgs[claims.Count % pkgs.Length];
            var cve = $"CVE-{rnd.Next(2005, 2027)}-{rnd.Next(1000, 99999)}";
            if (!seen.Add((cve, name))) continue;
            var desc = string.Join(' ', Enumerable.Range(0, rnd.Next(30, 70)).Select(_ => Pick(rnd, Words)));
            claims.Add(new Claim(cve, name, version, Pick(rnd, Severities), rnd.NextDouble() < .4 ? version + ".1" : null, desc, Math.Round(1 + rnd.NextDouble() * 9, 1)));
        }
        return claims;
    }

    private static T Pick<T>(Random rnd, T[] items) => items[rnd.Next(items.Length)];

    public static byte[] Trivy(string image, string digest, IReadOnlyList<Claim> claims) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("SchemaVersion", 2);
        w.WriteString("CreatedAt", "2026-11-20T10:00:00Z");
        w.WriteString("ArtifactName", image);
        w.WriteString("ArtifactType", "container_image");
        w.WriteStartObject("Metadata");
        w.WriteStartObject("OS");
        w.WriteString("Family", "debian");
        w.WriteString("Name", "12.8");
        w.WriteEndObject();
        w.WriteStartArray("RepoDigests");
        w.WriteStringValue($"{image.Split(':')[0]}@{digest}");
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteStartArray("Results");
        w.WriteStartObject();
        w.WriteString("Target", $"{image} (debian 12.8)");
        w.WriteString("Class", "os-pkgs");
        w.WriteString("Type", "debian");
        w.WriteStartArray("Vulnerabilities");
        foreach (var c in claims)
        {
            w.WriteStartObject();
            w.WriteString("VulnerabilityID", c.Cve);
            w.WriteString("PkgID", $"{c.Package}@{c.Version}");
            w.WriteString("PkgName", c.Package);
            w.WriteStartObject("PkgIdentifier");
            w.WriteString("PURL", $"pkg:deb/debian/{c.Package}@{c.Version}?arch=amd64&distro=debian-12");
            w.WriteEndObject();
            w.WriteString("InstalledVersion", c.Version);
            if (c.Fixed is not null) w.WriteString("FixedVersion", c.Fixed);
            w.WriteString("Status", c.Fixed is null ? "affected" : "fixed");
            w.WriteString("SeveritySource", "debian");
            w.WriteString("PrimaryURL", $"https://avd.aquasec.com/nvd/{c.Cve.ToLowerInvariant()}");
            w.WriteString("Title", c.Description[..Math.Min(60, c.Description.Length)]);
            w.WriteString("Description", c.Description);
            w.WriteString("Severity", c.Severity);
            w.WriteStartArray("CweIDs");
            w.WriteStringValue("CWE-787");
            w.WriteEndArray();
            w.WriteStartObject("CVSS");
            w.WriteStartObject("nvd");
            w.WriteString("V3Vector", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
            w.WriteNumber("V3Score", c.Score);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteStartArray("References");
            w.WriteStringValue($"https://security-tracker.debian.org/tracker/{c.Cve}");
            w.WriteStringValue($"https://nvd.nist.gov/vuln/detail/{c.Cve}");
            w.WriteEndArray();
            w.WriteString("PublishedDate", "2024-01-02T03:04:05Z");
            w.WriteString("LastModifiedDate", "2025-01-02T03:04:05Z");
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    });

    public static byte[] Grype(string image, string digest, IReadOnlyList<Claim> claims) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("matches");
        foreach (var c in claims)
        {
            w.WriteStartObject();
            w.WriteStartObject("vulnerability");
            w.WriteString("id", c.Cve);
            w.WriteString("dataSource", $"https://security-tracker.debian.org/tracker/{c.Cve}");
            w.WriteString("namespace", "debian:distro:debian:12");
            w.WriteString("severity", c.Severity[..1] + c.Severity[1..].ToLowerInvariant());
            w.WriteStartArray("urls");
            w.WriteStringValue($"https://security-tracker.debian.org/tracker/{c.Cve}");
            w.WriteEndArray();
            w.WriteStartObject("fix");
            w.WriteStartArray("versions");
            if (c.Fixed is not null) w.WriteStringValue(c.Fixed);
            w.WriteEndArray();
            w.WriteString("state", c.Fixed is null ? "not-fixed" : "fixed");
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteStartArray("relatedVulnerabilities");
            w.WriteStartObject();
            w.WriteString("id", c.Cve);
            w.WriteString("namespace", "nvd:cpe");
            w.WriteString("description", c.Description);
            w.WriteStartArray("cvss");
            w.WriteStartObject();
            w.WriteString("version", "3.1");
            w.WriteString("vector", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
            w.WriteStartObject("metrics");
            w.WriteNumber("baseScore", c.Score);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteStartArray("matchDetails");
            w.WriteStartObject();
            w.WriteString("type", "exact-direct-match");
            w.WriteString("matcher", "dpkg-matcher");
            w.WriteStartObject("searchedBy");
            w.WriteString("namespace", "debian:distro:debian:12");
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteStartObject("artifact");
            w.WriteString("name", c.Package);
            w.WriteString("version", c.Version);
            w.WriteString("type", "deb");
            w.WriteString("purl", $"pkg:deb/debian/{c.Package}@{c.Version}?arch=amd64&distro=debian-12");
            w.WriteStartArray("locations");
            w.WriteStartObject();
            w.WriteString("path", $"/var/lib/dpkg/status.d/{c.Package}");
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartObject("source");
        w.WriteString("type", "image");
        w.WriteStartObject("target");
        w.WriteString("userInput", image);
        w.WriteStartArray("repoDigests");
        w.WriteStringValue($"{image.Split(':')[0]}@{digest}");
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteStartObject("descriptor");
        w.WriteString("name", "grype");
        w.WriteString("version", "0.86.1");
        w.WriteEndObject();
        w.WriteEndObject();
    });

    public static byte[] Snyk(string image, IReadOnlyList<Claim> claims) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("vulnerabilities");
        foreach (var c in claims)
        {
            w.WriteStartObject();
            w.WriteString("id", $"SNYK-DEBIAN12-{c.Package.ToUpperInvariant()}-{c.Cve[4..].Replace("-", "", StringComparison.Ordinal)}");
            w.WriteString("title", c.Description[..Math.Min(60, c.Description.Length)]);
            w.WriteString("severity", c.Severity.ToLowerInvariant() == "unknown" ? "low" : c.Severity.ToLowerInvariant());
            w.WriteNumber("cvssScore", c.Score);
            w.WriteStartObject("identifiers");
            w.WriteStartArray("CVE");
            w.WriteStringValue(c.Cve);
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteString("packageName", $"{c.Package}/{c.Package}");
            w.WriteString("name", $"{c.Package}/{c.Package}");
            w.WriteString("version", c.Version);
            w.WriteString("packageManager", "deb");
            w.WriteString("language", "linux");
            w.WriteStartArray("fixedIn");
            if (c.Fixed is not null) w.WriteStringValue(c.Fixed);
            w.WriteEndArray();
            w.WriteStartArray("from");
            w.WriteStringValue($"docker-image|{image}");
            w.WriteStringValue($"{c.Package}/{c.Package}@{c.Version}");
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteBoolean("ok", false);
        w.WriteString("packageManager", "deb");
        w.WriteString("path", image);
        w.WriteString("projectName", $"docker-image|{image.Split(':')[0]}");
        w.WriteEndObject();
    });

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(1 << 20);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false })) body(w);
        return buffer.WrittenSpan.ToArray();
    }
}
