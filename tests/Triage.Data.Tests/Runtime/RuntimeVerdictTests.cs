using System.Text.Json.Nodes;
using Triage.Core.Domain;
using Triage.Core.Runtime.Files;
using Triage.Core.Runtime.Verdicts;
using Triage.Data.Queries;
using Triage.Data.Runtime;
using Triage.Testing;

namespace Triage.Data.Tests.Runtime;

/// <summary>Runtime evidence end to end through the database: stored, matched to scanned artifacts, judged, and shown on findings.</summary>
public class RuntimeVerdictTests
{
    public const string NginxDigest = "sha256:5f0c1a9b3e7d24c68a1f0e9d8c7b6a5f4e3d2c1b0a99887766554433221100ff";
    public const string NginxImage = "registry.example/nginx-distroless";

    /// <summary>
    /// No real scan matches the slimmed nginx image of shared/fixtures/runtime/slim/nginx-distroless_creport.json (a 2018
    /// Debian 9 build), so one is constructed: the Trivy --list-all-pkgs package list written for that image
    /// (tests/Triage.Core.Tests/Fixtures/Runtime/nginx-distroless-stretch_trivy-list-all-pkgs.json, with InstalledFiles
    /// from the Debian stretch packages), given a registry name and digest, and one synthetic vulnerability per package
    /// (CVE-2099-1000 + n) so every package has a finding.
    /// </summary>
    public static JsonNode NginxScan()
    {
        var doc = JsonNode.Parse(File.ReadAllText(TestPaths.Local("Triage.Core.Tests", "Runtime", "nginx-distroless-stretch_trivy-list-all-pkgs.json")))!;
        doc["ArtifactName"] = NginxImage + ":1.13.5";
        doc["ArtifactType"] = "container_image";
        doc["Metadata"]!["RepoDigests"] = new JsonArray(NginxImage + "@" + NginxDigest);
        doc["Metadata"]!["RepoTags"] = new JsonArray(NginxImage + ":1.13.5");
        var result = doc["Results"]![0]!;
        var vulns = new JsonArray();
        var n = 0;
        foreach (var p in result["Packages"]!.AsArray())
        {
            var version = p!["Release"] is { } rel ? $"{p["Version"]}-{rel}" : p["Version"]!.GetValue<string>();
            if (p["Epoch"] is { } epoch) version = $"{epoch}:{version}";
            vulns.Add(new JsonObject
            {
                ["VulnerabilityID"] = $"CVE-2099-{1000 + n++}",
                ["PkgName"] = p["Name"]!.GetValue<string>(),
                ["PkgIdentifier"] = new JsonObject { ["PURL"] = p["Identifier"]!["PURL"]!.GetValue<string>() },
                ["InstalledVersion"] = version,
                ["Severity"] = "HIGH",
                ["Title"] = $"synthetic vulnerability in {p["Name"]}",
            });
        }
        result["Vulnerabilities"] = vulns;
        return doc;
    }

    private static async Task<Dictionary<string, FindingView>> ByPackage(RuntimeWorld w) =>
        (await w.FindingsAsync()).ToDictionary(f => f.Package.Name);

    [FixtureTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task SlimCreport_AgainstMatchingScan_GivesExpectedVerdictsWithSources(string provider)
    {
        var w = new RuntimeWorld(provider);
        var scan = await w.ImportJsonAsync(NginxScan(), "nginx-distroless-trivy.json");
        Assert.Equal(12, scan.Findings);

        var ingest = await w.IngestAsync(TestPaths.Fixture("runtime", "slim", "nginx-distroless_creport.json"),
            new RuntimeIngestOptions { Image = $"{NginxImage}@{NginxDigest}" });
        Assert.Equal("slim-creport", ingest.Kind);
        Assert.Equal([RuntimeEvidencePart.FileAccessProfile, RuntimeEvidencePart.FileInventory], ingest.Images.Select(i => i.Part));
        Assert.All(ingest.Images, i => Assert.Equal([$"{NginxImage}:1.13.5"], i.MatchedImages));
        Assert.Equal(ProfileCompleteness.Complete, ingest.Images[0].Completeness);
        Assert.Equal(12, ingest.Refresh.FindingsJudged);

        var f = await ByPackage(w);
        foreach (var loaded in new[] { "libc6", "libssl1.1", "zlib1g", "libpcre3", "nginx" })
        {
            var r = f[loaded].Risk!.Reachability;
            Assert.Equal((ReachabilityVerdict.Loaded, VerdictConfidence.High), (r.Verdict, r.Confidence));
            Assert.Null(r.ProposedJustification);
            Assert.Contains(r.Sources, s => s.Source == "slim-creport" && s.Supports == ReachabilityVerdict.Loaded);
        }
        Assert.Contains("/usr/sbin/nginx (exec+read)", f["nginx"].Risk!.Reachability.Sources.Single(s => s.Supports == ReachabilityVerdict.Loaded).Detail);
        foreach (var gone in new[] { "nginx-module-geoip", "libgeoip1", "ca-certificates", "netbase" })
        {
            var r = f[gone].Risk!.Reachability;
            Assert.Equal(ReachabilityVerdict.NotPresent, r.Verdict);
            Assert.Equal(ProposedJustification.ComponentNotPresent, r.ProposedJustification);
        }
        Assert.Equal((ReachabilityVerdict.NotPresent, ProposedJustification.VulnerableCodeNotPresent),
            (f["openssl"].Risk!.Reachability.Verdict, f["openssl"].Risk!.Reachability.ProposedJustification));
        Assert.Equal(ReachabilityVerdict.NotPresent, f["tzdata"].Risk!.Reachability.Verdict);
        // Trivy lists no files for this nginx.org package: nothing can be said, and unknown never lowers the score.
        var njs = f["nginx-module-njs"].Risk!;
        Assert.Equal(ReachabilityVerdict.Unknown, njs.Reachability.Verdict);
        Assert.True(njs.Reachability.Evaluated);
        Assert.Contains(njs.Reachability.Notes, n => n.Contains("no file list"));
        Assert.Contains(njs.Why, x => x.Factor == "reachability" && x.Contribution == 0);

        // Findings stay open: a not-present verdict proposes a justification, it closes nothing.
        Assert.All(f.Values, v => Assert.True(v.Active));
        // Loaded scores above the same finding judged not present.
        Assert.True(f["libssl1.1"].Risk!.Score > f["openssl"].Risk!.Score);
        Assert.Contains(f["openssl"].Risk!.Why, x => x.Factor == "reachability" && x.Contribution < 0);

        // Findings can be selected by verdict.
        var notPresent = await w.FindingsAsync(new FindingFilter { Reachability = [ReachabilityVerdict.NotPresent] });
        Assert.Equal(["ca-certificates", "libgeoip1", "netbase", "nginx-module-geoip", "openssl", "tzdata"], notPresent.Select(x => x.Package.Name).Order());
        var unknown = await w.FindingsAsync(new FindingFilter { Reachability = [ReachabilityVerdict.Unknown] });
        Assert.Equal(["nginx-module-njs"], unknown.Select(x => x.Package.Name));
    }

    [FixtureTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task SlimCreport_BeforeTheScan_AppliesWhenTheScanArrives(string provider)
    {
        var w = new RuntimeWorld(provider);
        var ingest = await w.IngestAsync(TestPaths.Fixture("runtime", "slim", "nginx-distroless_creport.json"),
            new RuntimeIngestOptions { Image = $"{NginxImage}@{NginxDigest}" });
        Assert.All(ingest.Images, i => Assert.Empty(i.MatchedImages));
        Assert.Equal(0, ingest.Refresh.FindingsJudged);

        await w.ImportJsonAsync(NginxScan(), "nginx-distroless-trivy.json");
        var f = await ByPackage(w);
        Assert.Equal(ReachabilityVerdict.Loaded, f["libssl1.1"].Risk!.Reachability.Verdict);
        Assert.Equal(ReachabilityVerdict.NotPresent, f["libgeoip1"].Risk!.Reachability.Verdict);
    }

    [FixtureTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task SlimCreport_MarkedPartial_NeverClaimsNonUse(string provider)
    {
        var w = new RuntimeWorld(provider);
        await w.ImportJsonAsync(NginxScan(), "nginx-distroless-trivy.json");
        var ingest = await w.IngestAsync(TestPaths.Fixture("runtime", "slim", "nginx-distroless_creport.json"),
            new RuntimeIngestOptions { Image = $"{NginxImage}@{NginxDigest}", SlimCompleteness = ProfileCompleteness.Partial });
        Assert.Equal(ProfileCompleteness.Partial, ingest.Images[0].Completeness);
        Assert.Equal("marked partial by the importer", ingest.Images[0].PartialReason);
        var f = await ByPackage(w);
        Assert.DoesNotContain(f.Values, v => v.Risk!.Reachability.Verdict == ReachabilityVerdict.PresentNotLoaded);
        Assert.Equal(ReachabilityVerdict.Loaded, f["nginx"].Risk!.Reachability.Verdict);

        await using var db = w.Db();
        var stored = db.RuntimeImageEvidence.Single(e => e.Part == RuntimeEvidencePart.FileAccessProfile);
        Assert.Equal(ProfileCompleteness.Partial, stored.Completeness);
    }

    [FixtureTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task SlimCreport_WithoutImage_IsRefusedAndNothingStored(string provider)
    {
        var w = new RuntimeWorld(provider);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => w.IngestAsync(TestPaths.Fixture("runtime", "slim", "nginx-distroless_creport.json")));
        Assert.Contains("--image", e.Message);
        await TriageDatabase.EnsureMigratedAsync(w.Conn);
        await using var db = w.Db();
        Assert.Empty(db.RuntimeEvidenceFiles);
    }

    [FixtureTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task SameEvidenceTwice_IsDuplicate(string provider)
    {
        var w = new RuntimeWorld(provider);
        var options = new RuntimeIngestOptions { Image = $"{NginxImage}@{NginxDigest}" };
        Assert.False((await w.IngestAsync(TestPaths.Fixture("runtime", "slim", "nginx-distroless_creport.json"), options)).Duplicate);
        Assert.True((await w.IngestAsync(TestPaths.Fixture("runtime", "slim", "nginx-distroless_creport.json"), options)).Duplicate);
        // The same bytes for another image are new evidence (one binary can be in two images).
        Assert.False((await w.IngestAsync(TestPaths.Fixture("runtime", "slim", "nginx-distroless_creport.json"), options with { Image = "other/app:1" })).Duplicate);
        await using var db = w.Db();
        Assert.Equal(2, db.RuntimeEvidenceFiles.Count());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task FileAccessLines_PartialProfile_ProvesUseOnly(string provider)
    {
        var w = new RuntimeWorld(provider);
        await w.ImportJsonAsync(NginxScan(), "nginx-distroless-trivy.json");
        var lines = $$"""
            # converted from a Tetragon export: no header, so the profile is partial
            {"image":"{{NginxImage}}@{{NginxDigest}}","path":"/usr/lib/x86_64-linux-gnu/libssl.so.1.1","op":"read","count":3}
            {"image":"{{NginxImage}}@{{NginxDigest}}","path":"/usr/sbin/nginx","op":"exec"}
            """;
        var ingest = await w.IngestTextAsync(lines, "tetragon.jsonl", new RuntimeIngestOptions { Source = "tetragon" });
        var profile = Assert.Single(ingest.Images);
        Assert.Equal(("file-access:tetragon", ProfileCompleteness.Partial, 2), (profile.Source, profile.Completeness, profile.Items));

        var f = await ByPackage(w);
        Assert.Equal(ReachabilityVerdict.Loaded, f["libssl1.1"].Risk!.Reachability.Verdict);
        Assert.Equal(ReachabilityVerdict.Loaded, f["nginx"].Risk!.Reachability.Verdict);
        // Untouched packages stay unknown: a partial profile says nothing about non-use, and says so.
        var geoip = f["libgeoip1"].Risk!.Reachability;
        Assert.Equal(ReachabilityVerdict.Unknown, geoip.Verdict);
        Assert.Contains(geoip.Notes, n => n.Contains("partial profile"));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task FileAccessLines_CompleteProfile_ProposesNotInExecutePath(string provider)
    {
        var w = new RuntimeWorld(provider);
        await w.ImportJsonAsync(NginxScan(), "nginx-distroless-trivy.json");
        var lines = $$$"""
            {"profile":{"image":"{{{NginxImage}}}@{{{NginxDigest}}}","complete":true,"source":"strace","reason":"container start to stop"}}
            {"image":"{{{NginxImage}}}@{{{NginxDigest}}}","path":"/usr/sbin/nginx","op":"exec"}
            """;
        await w.IngestTextAsync(lines, "strace.jsonl");
        var f = await ByPackage(w);
        var geoip = f["libgeoip1"].Risk!.Reachability;
        Assert.Equal((ReachabilityVerdict.PresentNotLoaded, ProposedJustification.VulnerableCodeNotInExecutePath), (geoip.Verdict, geoip.ProposedJustification));
        Assert.Equal("file-access:strace", geoip.Sources.Single().Source);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Govulncheck_RequiresAnImage(string provider)
    {
        var w = new RuntimeWorld(provider);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => w.IngestTextAsync(
            """{"config":{"protocol_version":"v1.0.0","scanner_name":"govulncheck","scan_level":"symbol"}}""", "govulncheck.json"));
        Assert.Contains("--image", e.Message);
    }
}
