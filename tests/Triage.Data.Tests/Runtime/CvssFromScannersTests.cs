using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Triage.Data.Runtime;
using Triage.Testing;

namespace Triage.Data.Tests.Runtime;

/// <summary>
/// The scanners' CVSS reaches the ranking. The parsers keep CVSS on the vulnerability records (Trivy's CVSS by source,
/// Grype's cvss array, Snyk's CVSSv3), not on the observations; the score's technical impact must use it, through the
/// alias group (a GHSA record's score counts for the CVE's finding), with a v3/v4 score above a v2 one.
/// </summary>
public sealed class CvssFromScannersTests
{
    private const string Image = "registry.example/team/cvss";
    private const string Digest = "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";

    private static JsonObject Trivy(params JsonObject[] vulnerabilities) => new()
    {
        ["SchemaVersion"] = 2,
        ["ArtifactName"] = Image + ":1",
        ["ArtifactType"] = "container_image",
        ["Metadata"] = new JsonObject { ["RepoDigests"] = new JsonArray(Image + "@" + Digest), ["OS"] = new JsonObject { ["Family"] = "debian", ["Name"] = "12.8" } },
        ["Results"] = new JsonArray(new JsonObject
        {
            ["Target"] = Image + ":1 (debian 12.8)", ["Class"] = "os-pkgs", ["Type"] = "debian",
            ["Vulnerabilities"] = new JsonArray(vulnerabilities),
        }),
    };

    private static JsonObject TrivyVuln(string id, string package, JsonObject? cvss) => new()
    {
        ["VulnerabilityID"] = id, ["PkgName"] = package, ["InstalledVersion"] = "1.0-1", ["Severity"] = "LOW",
        ["PkgIdentifier"] = new JsonObject { ["PURL"] = $"pkg:deb/debian/{package}@1.0-1?distro=debian-12.8" },
        ["CVSS"] = cvss,
    };

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task TrivyCvssBySource_IsTheFindingsImpact_ModernAboveV2(string provider)
    {
        var w = new RuntimeWorld(provider);
        await w.ImportJsonAsync(Trivy(
            TrivyVuln("CVE-2099-0001", "liba", new JsonObject
            {
                ["nvd"] = new JsonObject { ["V2Score"] = 10.0, ["V3Vector"] = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", ["V3Score"] = 9.8 },
                ["redhat"] = new JsonObject { ["V3Vector"] = "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N", ["V3Score"] = 5.5 },
            }),
            TrivyVuln("CVE-2099-0002", "libb", new JsonObject { ["nvd"] = new JsonObject { ["V2Vector"] = "AV:N/AC:L/Au:N/C:P/I:N/A:N", ["V2Score"] = 5.0 } }),
            TrivyVuln("CVE-2099-0003", "libc", null)), "trivy.json");

        var byPackage = (await w.FindingsAsync()).ToDictionary(f => f.Package.Name);
        Assert.Equal(9.8, byPackage["liba"].Risk!.Cvss);
        Assert.Equal(5.0, byPackage["libb"].Risk!.Cvss);
        Assert.Null(byPackage["libc"].Risk!.Cvss);
        // Same severity (low) everywhere: the CVSS is what separates them.
        Assert.True(byPackage["liba"].Risk!.Score > byPackage["libb"].Risk!.Score);
        Assert.True(byPackage["libb"].Risk!.Score > byPackage["libc"].Risk!.Score);
        Assert.Contains(byPackage["liba"].Risk!.Why, f => f.Factor == "impact" && f.Detail.Contains("9.8", StringComparison.Ordinal));

        await using var db = w.Db();
        Assert.Equal(2, await db.FindingRisks.CountAsync(r => r.CvssScore != null));
    }

    private static JsonObject Grype(string id, string ns, string source, double score, string? related, (string Name, string Version, string Type) package) => new()
    {
        ["matches"] = new JsonArray(new JsonObject
        {
            ["vulnerability"] = new JsonObject
            {
                ["id"] = id, ["namespace"] = ns, ["severity"] = "Low", ["description"] = "grype's description",
                ["urls"] = new JsonArray("https://security-tracker.debian.org/tracker/" + id, "https://example.org/a?b=1&c=2"),
                ["cvss"] = new JsonArray(new JsonObject
                {
                    ["source"] = source, ["version"] = "3.1", ["vector"] = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
                    ["metrics"] = new JsonObject { ["baseScore"] = score },
                }),
            },
            ["relatedVulnerabilities"] = related is null ? new JsonArray() : new JsonArray(new JsonObject { ["id"] = related, ["namespace"] = "nvd:cpe" }),
            ["artifact"] = new JsonObject
            {
                ["name"] = package.Name, ["version"] = package.Version, ["type"] = package.Type,
                ["purl"] = package.Type == "deb" ? $"pkg:deb/debian/{package.Name}@{package.Version}?distro=debian-12.8" : $"pkg:{package.Type}/{package.Name}@{package.Version}",
            },
        }),
        ["source"] = new JsonObject { ["type"] = "image", ["target"] = new JsonObject { ["userInput"] = Image + ":1", ["repoDigests"] = new JsonArray(Image + "@" + Digest) } },
        ["distro"] = new JsonObject { ["name"] = "debian", ["version"] = "12" },
        ["descriptor"] = new JsonObject { ["name"] = "grype", ["version"] = "0.80.0" },
    };

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task SecondScanner_AddsItsTitleScoresAndSeveritySourcesToTheStoredRecord_FirstSourceKeepsItsWord(string provider)
    {
        var w = new RuntimeWorld(provider);
        await w.ImportJsonAsync(Grype("CVE-2099-0200", "debian:distro:debian:12", "nvd", 7.5, related: null, package: ("liba", "1.0-1", "deb")), "grype.json");
        var trivy = Trivy(TrivyVuln("CVE-2099-0200", "liba", new JsonObject
        {
            ["redhat"] = new JsonObject { ["V3Vector"] = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H", ["V3Score"] = 5.9 },
            ["nvd"] = new JsonObject { ["V3Vector"] = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", ["V3Score"] = 9.8 },
        }));
        trivy["Results"]![0]!["Vulnerabilities"]![0]!["Title"] = "liba: stack overflow";
        trivy["Results"]![0]!["Vulnerabilities"]![0]!["Description"] = "trivy's description";
        trivy["Results"]![0]!["Vulnerabilities"]![0]!["VendorSeverity"] = new JsonObject { ["redhat"] = 2, ["nvd"] = 4 };
        trivy["Results"]![0]!["Vulnerabilities"]![0]!["References"] = new JsonArray("https://example.org/a?b=1&c=2", "https://access.redhat.com/security/cve/CVE-2099-0200");
        trivy["Results"]![0]!["Vulnerabilities"]![0]!["CweIDs"] = new JsonArray("CWE-787");
        await w.ImportJsonAsync(trivy, "trivy.json");

        await using (var db = w.Db())
        {
            var v = await db.Vulnerabilities.SingleAsync(x => x.VulnId == "CVE-2099-0200");
            Assert.Equal("liba: stack overflow", v.Title);
            Assert.Equal("grype's description", v.Description);
            var cvss = Triage.Core.Ingest.EvidenceJson.ReadCvss(v.CvssJson);
            // Grype's NVD 7.5 stays (the first word of that source and version); Trivy's Red Hat score is added.
            Assert.Equal([("nvd", 7.5), ("redhat", 5.9)], cvss.Select(c => (c.Source, c.Score ?? -1)).OrderBy(c => c.Source));
            Assert.Contains("\"redhat\":\"medium\"", v.SeverityBySourceJson, StringComparison.Ordinal);
            Assert.Contains("\"debian:distro:debian:12\":\"low\"", v.SeverityBySourceJson, StringComparison.Ordinal);
            // References of both, each once, Grype's first; Trivy's CWE.
            Assert.Equal(["https://security-tracker.debian.org/tracker/CVE-2099-0200", "https://example.org/a?b=1&c=2", "https://access.redhat.com/security/cve/CVE-2099-0200"],
                v.References);
            Assert.Equal(["CWE-787"], v.Cwes);
        }
        // Another report with the same evidence leaves the record as it is (that the merge then writes nothing is
        // VulnerabilityEvidenceTests': every merge returns null when nothing is new).
        var before = await RecordAsync(w);
        trivy["ArtifactName"] = Image + ":2";
        await w.ImportJsonAsync(trivy, "trivy-again.json");
        Assert.Equal(before, await RecordAsync(w));
    }

    private static async Task<string> RecordAsync(RuntimeWorld w)
    {
        await using var db = w.Db();
        var v = await db.Vulnerabilities.AsNoTracking().SingleAsync(x => x.VulnId == "CVE-2099-0200");
        return string.Join(" | ", v.Title, v.Description, v.CvssJson, v.SeverityBySourceJson, string.Join(",", v.References), string.Join(",", v.Cwes));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task GrypeScoreOnAGhsaRecord_CountsForTheCveFindingThroughItsAliasGroup(string provider)
    {
        var w = new RuntimeWorld(provider);
        var grype = Grype("GHSA-aaaa-bbbb-cccc", "github:language:javascript", "github", 7.5, related: "CVE-2099-0100", package: ("left-pad", "1.0.0", "npm"));
        await w.ImportJsonAsync(grype, "grype.json");

        var f = Assert.Single(await w.FindingsAsync());
        Assert.Equal("CVE-2099-0100", f.Vulnerability.Id);
        Assert.Equal(7.5, f.Risk!.Cvss);
    }

    [Fact]
    public async Task ScoresStoredBeforeCvssWasRead_AreComputedAgainAtStartUp()
    {
        var w = new RuntimeWorld(TestDatabases.Sqlite);
        await w.ImportJsonAsync(Trivy(TrivyVuln("CVE-2099-0001", "liba",
            new JsonObject { ["nvd"] = new JsonObject { ["V3Vector"] = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", ["V3Score"] = 9.8 } })), "trivy.json");
        Assert.False(await w.Risk.EnsureCurrentAsync());

        // As an older Triage stored them: no CVSS read, and a configuration without the inputs version.
        await using (var db = w.Db())
        {
            await db.FindingRisks.ExecuteUpdateAsync(u => u.SetProperty(r => r.CvssScore, (double?)null));
            foreach (var p in await db.RankingPolicies.ToListAsync())
            {
                var json = JsonNode.Parse(p.PolicyJson)!.AsObject();
                Assert.True(json.Remove("Inputs"), p.PolicyJson);
                p.PolicyJson = json.ToJsonString();
                p.Hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(p.PolicyJson)));
            }
            await db.SaveChangesAsync();
        }

        Assert.True(await w.Risk.EnsureCurrentAsync());
        Assert.Equal(9.8, Assert.Single(await w.FindingsAsync()).Risk!.Cvss);
        Assert.False(await w.Risk.EnsureCurrentAsync());
    }

    [Fact]
    public void MaxScores_ModernAboveV2_NumbersOrStrings_LongListsAndGarbage()
    {
        Assert.Equal((9.8, 10.0), Cvss.MaxScores("""[{"source":"nvd","version":"2.0","score":10.0},{"source":"nvd","version":"3.1","score":9.8},{"source":"x","version":"4.0","score":7.0}]"""));
        Assert.Equal(((double?)null, 5.0), Cvss.MaxScores("""[{"source":"nvd","version":"2.0","vector":"AV:N","score":5.0}]"""));
        Assert.Equal((8.1, 8.1), Cvss.MaxScores("""[{"version":3.1,"score":8.1,"extra":{"nested":[1,2]}}]"""));
        Assert.Equal(((double?)null, (double?)null), Cvss.MaxScores("""[{"version":"3.1","score":11},{"version":"3.1"}]"""));
        Assert.Equal(((double?)null, (double?)null), Cvss.MaxScores("{not json"));
        var many = "[" + string.Join(",", Enumerable.Range(0, 200).Select(i => $$"""{"source":"s{{i}}","version":"3.1","vector":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H","score":{{(i % 90) / 10.0}}}""")) + "]";
        Assert.True(many.Length > 4096);
        Assert.Equal((8.9, 8.9), Cvss.MaxScores(many));
    }

    [FixtureFact]
    public async Task RealNginxScans_EveryFindingWhoseVulnerabilityHasACvssIsRankedWithIt()
    {
        var w = new RuntimeWorld(TestDatabases.Sqlite);
        await w.ImportFileAsync(TestPaths.Fixture("matched", "nginx-latest-debian13", "grype.json"));
        await w.ImportFileAsync(TestPaths.Fixture("matched", "nginx-latest-debian13", "trivy.json"));

        await using var db = w.Db();
        var withScore = await db.Findings.Where(f => db.Vulnerabilities.Any(v => v.GroupId == f.GroupId && v.CvssJson != null)).Select(f => f.Id).ToListAsync();
        Assert.True(withScore.Count > 100, $"{withScore.Count} findings with a scored vulnerability");
        var ranked = await db.FindingRisks.Where(r => withScore.Contains(r.FindingId)).Select(r => r.CvssScore).ToListAsync();
        Assert.Equal(withScore.Count, ranked.Count);
        Assert.All(ranked, c => Assert.NotNull(c));
    }
}
