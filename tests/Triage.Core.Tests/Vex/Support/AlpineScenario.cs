using System.Text.Json;
using Triage.Core.Identity;
using Triage.Core.Vex;
using Triage.Testing;

namespace Triage.Core.Tests.Vex.Support;

/// <summary>A finding as one scanner reported it, read straight from its JSON (no Triage parser involved).</summary>
public sealed record ScannedFinding(string VulnerabilityId, IReadOnlyList<string> Aliases, string Purl);

/// <summary>An image scan: repo digests and tags as the scanner reported them, and its findings.</summary>
public sealed record ScannedImage(IReadOnlyList<string> RepoDigests, IReadOnlyList<string> Tags, IReadOnlyList<ScannedFinding> Findings);

/// <summary>
/// The real alpine:3.19 scans (../shared/fixtures/matched/alpine-3.19, Trivy 0.69.3 and Grype 0.110.0) and a set of
/// decisions over them that exercises every rule: a package-bound digest decision, a global decision overridden for
/// one package by an older digest decision, a repository decision, a team decision, an expired decision and a decision
/// about another image.
/// </summary>
public static class AlpineScenario
{
    public const string Repository = "docker.io/library/alpine";
    public const string Digest = "sha256:6baf43584bcb78f2e5847d1de515f23499913ac9f12bdf834811a3145eb11ca1";
    public static readonly DateTimeOffset T0 = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset Now = T0.AddDays(10);

    public static ScannedImage Trivy()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(TestPaths.Fixture("matched", "alpine-3.19", "trivy.json")));
        var r = doc.RootElement;
        var findings = new List<ScannedFinding>();
        foreach (var res in r.GetProperty("Results").EnumerateArray())
            if (res.TryGetProperty("Vulnerabilities", out var vs) && vs.ValueKind == JsonValueKind.Array)
                foreach (var v in vs.EnumerateArray())
                    findings.Add(new(v.GetProperty("VulnerabilityID").GetString()!, [], v.GetProperty("PkgIdentifier").GetProperty("PURL").GetString()!));
        var md = r.GetProperty("Metadata");
        return new(md.GetProperty("RepoDigests").EnumerateArray().Select(e => e.GetString()!).ToArray(),
            md.GetProperty("RepoTags").EnumerateArray().Select(e => e.GetString()!).ToArray(), findings);
    }

    public static ScannedImage Grype()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(TestPaths.Fixture("matched", "alpine-3.19", "grype.json")));
        var r = doc.RootElement;
        var findings = r.GetProperty("matches").EnumerateArray().Select(m => new ScannedFinding(
            m.GetProperty("vulnerability").GetProperty("id").GetString()!,
            m.TryGetProperty("relatedVulnerabilities", out var rel) ? rel.EnumerateArray().Select(x => x.GetProperty("id").GetString()!).ToArray() : [],
            m.GetProperty("artifact").GetProperty("purl").GetString()!)).ToArray();
        var t = r.GetProperty("source").GetProperty("target");
        return new(t.GetProperty("repoDigests").EnumerateArray().Select(e => e.GetString()!).ToArray(),
            t.GetProperty("tags").EnumerateArray().Select(e => e.GetString()!).ToArray(), findings);
    }

    /// <summary>Both scanners' findings, as the lead would hand them to the exporter.</summary>
    public static VexExportImage ExportImage() => new(Repository, Digest, ["alpine:3.19"],
        Trivy().Findings.Concat(Grype().Findings)
            .Select(f => new VexExportFinding(Purl.Parse(f.Purl), [f.VulnerabilityId, .. f.Aliases]))
            .ToArray(),
        Teams: ["platform"]);

    public static VexInventoryImage InventoryImage() => new(Repository, Digest, ["alpine:3.19"],
        ExportImage().Findings.Select(f => new VexInventoryFinding(f.Package, f.VulnerabilityIds)).ToArray());

    public static IReadOnlyList<VexStatement> Statements()
    {
        var digest = new VexScope.Digest(Repository, Digest);
        VexStatement S(string vuln, VexStatus status, VexScope scope, DateTimeOffset at, string? package = null,
            VexJustification? j = null, string? action = null, DateTimeOffset? expires = null) =>
            VexStatement.Create(new VexStatementDraft
            {
                Vulnerability = new VulnerabilityRef(vuln),
                Scope = scope,
                Subcomponent = package is null ? null : new VexSubcomponent(Purl.Parse(package)),
                Status = status,
                Justification = j,
                ActionStatement = action,
                Author = "security@example.com",
                Timestamp = at,
                ExpiresAt = expires,
            });
        return
        [
            S("CVE-2024-58251", VexStatus.NotAffected, digest, T0, "pkg:apk/alpine/busybox", VexJustification.VulnerableCodeNotInExecutePath),
            S("CVE-2025-46394", VexStatus.NotAffected, VexScope.Global.Instance, T0.AddDays(2), j: VexJustification.VulnerableCodeCannotBeControlledByAdversary),
            S("CVE-2025-46394", VexStatus.Affected, digest, T0, "pkg:apk/alpine/ssl_client", action: "Rebuild on alpine 3.19.10 when it ships."),
            S("CVE-2025-60876", VexStatus.Fixed, new VexScope.Repository("alpine"), T0.AddDays(1)),
            S("CVE-2026-27171", VexStatus.UnderInvestigation, digest, T0.AddDays(1)),
            S("CVE-2024-58251", VexStatus.NotAffected, new VexScope.Digest(Repository, "sha256:" + new string('2', 64)), T0, j: VexJustification.ComponentNotPresent),
            S("CVE-2024-58251", VexStatus.NotAffected, digest, T0, "pkg:apk/alpine/ssl_client", VexJustification.ComponentNotPresent, expires: T0.AddDays(1)),
            S("CVE-2024-58251", VexStatus.UnderInvestigation, new VexScope.Team("platform"), T0.AddHours(1)),
        ];
    }

    public static VexExportRequest Request(IReadOnlyList<VexStatement>? statements = null) => new()
    {
        Author = "security@example.com",
        Now = Now,
        Images = [ExportImage()],
        Statements = statements ?? Statements(),
    };

    /// <summary>(vulnerability, package name) pairs whose findings must be suppressed: effective not_affected or fixed.</summary>
    public static readonly (string Vuln, string Package)[] Suppressed =
    [
        ("CVE-2024-58251", "busybox"),
        ("CVE-2025-46394", "busybox"),
        ("CVE-2025-46394", "busybox-binsh"),
        ("CVE-2025-60876", "busybox"),
        ("CVE-2025-60876", "busybox-binsh"),
        ("CVE-2025-60876", "ssl_client"),
    ];
}
