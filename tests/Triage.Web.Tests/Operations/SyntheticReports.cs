using System.Buffers;
using System.Text.Json;

namespace Triage.Testing;

/// <summary>Small valid Trivy reports made on the spot: each <paramref name="seed"/> gives other bytes, another image and
/// other findings, so tests can import many distinct reports (and the same one twice).</summary>
public static class SyntheticReports
{
    public static byte[] Trivy(int seed, int findings = 20, string? image = null)
    {
        image ??= $"registry.example/ops/app-{seed}:1.0";
        var repository = image.Split(':')[0];
        var digest = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(seed)));
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
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
            w.WriteStringValue($"{repository}@{digest}");
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteStartArray("Results");
            w.WriteStartObject();
            w.WriteString("Target", $"{image} (debian 12.8)");
            w.WriteString("Class", "os-pkgs");
            w.WriteString("Type", "debian");
            w.WriteStartArray("Vulnerabilities");
            for (var i = 0; i < findings; i++)
            {
                var package = $"lib{seed % 97}x{i % 50}";
                var version = $"1.{i % 7}.{seed % 11}-1";
                w.WriteStartObject();
                w.WriteString("VulnerabilityID", $"CVE-20{20 + i % 6}-{10000 + (seed * 131 + i) % 80000}");
                w.WriteString("PkgName", package);
                w.WriteStartObject("PkgIdentifier");
                w.WriteString("PURL", $"pkg:deb/debian/{package}@{version}?distro=debian-12");
                w.WriteEndObject();
                w.WriteString("InstalledVersion", version);
                if (i % 3 != 0) w.WriteString("FixedVersion", version + "+fix");
                w.WriteString("Status", i % 3 != 0 ? "fixed" : "affected");
                w.WriteString("Severity", (i % 4) switch { 0 => "CRITICAL", 1 => "HIGH", 2 => "MEDIUM", _ => "LOW" });
                w.WriteString("Title", $"Synthetic problem {i} of report {seed}");
                w.WriteString("Description", $"A generated vulnerability for operations tests ({seed}/{i}).");
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
}
