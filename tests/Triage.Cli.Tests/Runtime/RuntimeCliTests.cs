using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Triage.Cli.Tests.Support;
using Triage.Data;
using Triage.Testing;

namespace Triage.Cli.Tests.Runtime;

/// <summary>`triage runtime ingest`, `triage enrich` and the risk fields of `triage findings --format json`, as scripts use them.</summary>
public class RuntimeCliTests : IDisposable
{
    private const string NginxImage = "registry.example/nginx-distroless";
    private const string NginxDigest = "sha256:5f0c1a9b3e7d24c68a1f0e9d8c7b6a5f4e3d2c1b0a99887766554433221100ff";
    private readonly string _dir = Directory.CreateTempSubdirectory("triage-runtime-cli-").FullName;

    public void Dispose()
    {
        TestDatabases.ClearPools();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    /// <summary>The Trivy --list-all-pkgs list written for the slimmed nginx image (tests/Triage.Core.Tests/Fixtures/Runtime), named
    /// and given one synthetic vulnerability per package, as a report file (see Triage.Data.Tests RuntimeVerdictTests.NginxScan).</summary>
    private string NginxScanFile()
    {
        var doc = JsonNode.Parse(File.ReadAllText(TestPaths.Local("Triage.Core.Tests", "Runtime", "nginx-distroless-stretch_trivy-list-all-pkgs.json")))!;
        doc["ArtifactName"] = NginxImage + ":1.13.5";
        doc["ArtifactType"] = "container_image";
        doc["Metadata"]!["RepoDigests"] = new JsonArray(NginxImage + "@" + NginxDigest);
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
            });
        }
        result["Vulnerabilities"] = vulns;
        var path = Path.Combine(_dir, "nginx-distroless-trivy.json");
        File.WriteAllText(path, doc.ToJsonString());
        return path;
    }

    private static async Task<JsonElement> FindingsJson(string db)
    {
        var r = await TriageCli.Run("findings", "--db", db, "--format", "json");
        Assert.True(r.Exit == 0, r.ToString());
        return JsonDocument.Parse(r.Out).RootElement;
    }

    [FixtureTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task IngestScanThenCreport_FindingsJsonCarriesVerdictsScoresAndReasons(string provider)
    {
        var db = TestDatabases.New(provider);
        var ingest = await TriageCli.Run("ingest", "--db", db, NginxScanFile());
        Assert.True(ingest.Exit == 0, ingest.ToString());
        // The import path scores what it imported.
        await using (var ctx = TriageDatabase.CreateContext(db)) Assert.Equal(12, await ctx.FindingRisks.CountAsync());

        var r = await TriageCli.Run("runtime", "ingest", "--db", db, "--image", $"{NginxImage}@{NginxDigest}", "--json",
            TestPaths.Fixture("runtime", "slim", "nginx-distroless_creport.json"));
        Assert.True(r.Exit == 0, r.ToString());
        var summary = JsonDocument.Parse(r.Out).RootElement;
        var file = summary.GetProperty("ingested")[0];
        Assert.Equal("slim-creport", file.GetProperty("kind").GetString());
        Assert.Equal(["file-access-profile", "file-inventory"], file.GetProperty("images").EnumerateArray().Select(i => i.GetProperty("part").GetString()));
        Assert.Equal("complete", file.GetProperty("images")[0].GetProperty("completeness").GetString());
        Assert.Equal(12, file.GetProperty("refresh").GetProperty("findingsJudged").GetInt32());
        Assert.Empty(summary.GetProperty("failed").EnumerateArray());

        var findings = (await FindingsJson(db)).EnumerateArray().ToDictionary(f => f.GetProperty("package").GetProperty("name").GetString()!);
        var libssl = findings["libssl1.1"];
        // Exactly the names of issue 7.
        Assert.Equal(["sources", "verdict"], libssl.GetProperty("reachability").EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(["environments", "running", "workloads"], libssl.GetProperty("runtime").EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(["date", "percentile", "score"], libssl.GetProperty("epss").EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(["dateAdded", "listed", "ransomware"], libssl.GetProperty("kev").EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(JsonValueKind.Number, libssl.GetProperty("score").ValueKind);
        Assert.Contains(libssl.GetProperty("priority").GetString(), new[] { "act", "attend", "track*", "track" });

        Assert.Equal("loaded", libssl.GetProperty("reachability").GetProperty("verdict").GetString());
        var source = libssl.GetProperty("reachability").GetProperty("sources")[0];
        Assert.Equal(("slim-creport", "loaded", "high"), (source.GetProperty("source").GetString(), source.GetProperty("verdict").GetString(), source.GetProperty("confidence").GetString()));
        var geoip = findings["libgeoip1"].GetProperty("reachability");
        Assert.Equal("not_present", geoip.GetProperty("verdict").GetString());
        Assert.Equal("component_not_present", geoip.GetProperty("sources")[0].GetProperty("justification").GetString());
        Assert.Equal("unknown", findings["nginx-module-njs"].GetProperty("reachability").GetProperty("verdict").GetString());

        // why: the factors, adding up to the score.
        var why = libssl.GetProperty("why").EnumerateArray().ToList();
        Assert.Contains(why, x => x.GetProperty("factor").GetString() == "reachability" && x.GetProperty("points").GetDecimal() > 0);
        Assert.Equal(libssl.GetProperty("score").GetDecimal(), why.Sum(x => x.GetProperty("points").GetDecimal()));
        Assert.True(libssl.GetProperty("score").GetDecimal() > findings["libgeoip1"].GetProperty("score").GetDecimal());
        // No inventory imported: exposure unknown, not "not running".
        Assert.Equal(JsonValueKind.Null, libssl.GetProperty("runtime").GetProperty("running").ValueKind);
    }

    [FixtureTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task KubeletList_ThenEnrich_FindingsShowRunningAndExploitation(string provider)
    {
        var db = TestDatabases.New(provider);
        var trivy = TestPaths.Fixture("matched", "nginx-latest-debian13", "trivy.json");
        Assert.Equal(0, (await TriageCli.Run("ingest", "--db", db, trivy)).Exit);
        var pods = await TriageCli.Run("runtime", "ingest", "--db", db, "--cluster", "home", TestPaths.Fixture("runtime", "k8s", "kubelet_pods.json"));
        Assert.True(pods.Exit == 0, pods.ToString());
        Assert.Contains("16 workloads (16 new)", pods.Out);
        Assert.Contains("of cluster home", pods.Out);

        var enrich = await TriageCli.Run("enrich", "--db", db, "--json",
            TestPaths.Fixture("enrich", "kev", "known_exploited_vulnerabilities.json"), TestPaths.Fixture("enrich", "epss", "dimpact_epss-scores_nginx-1.27.4.json"));
        Assert.True(enrich.Exit == 0, enrich.ToString());
        var imports = JsonDocument.Parse(enrich.Out).RootElement.GetProperty("imports").EnumerateArray().ToList();
        Assert.Equal(["kev", "epss"], imports.Select(i => i.GetProperty("feed").GetString()));
        Assert.Equal("2025-08-25", imports[0].GetProperty("dataDate").GetString());

        var findings = (await FindingsJson(db)).EnumerateArray().ToList();
        // A kubelet list shows one node: the nginx image is not on it, but may run on another, so its exposure is unknown
        // (not "not running"), and the why says what the inventory covers.
        Assert.Contains("covers node:duckboat-01 (a kubelet /pods list of node duckboat-01)", pods.Out);
        Assert.All(findings, f => Assert.Equal(JsonValueKind.Null, f.GetProperty("runtime").GetProperty("running").ValueKind));
        Assert.All(findings, f => Assert.Contains(f.GetProperty("why").EnumerateArray(), x => x.GetProperty("factor").GetString() == "exposure"
            && x.GetProperty("detail").GetString() == "not seen in the inventories, which cover only node duckboat-01 of cluster home, " +
            "where its repository was never seen: exposure unknown"));
        var withEpss = findings.Where(f => f.GetProperty("epss").GetProperty("score").ValueKind == JsonValueKind.Number).ToList();
        Assert.NotEmpty(withEpss);
        Assert.All(withEpss, f => Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", f.GetProperty("epss").GetProperty("date").GetString()!));
        Assert.All(findings, f => Assert.False(f.GetProperty("kev").GetProperty("listed").GetBoolean()));
    }

    [FixtureFact]
    public async Task ExitCodes_FailedFileIsOne_UsageIsTwo_WithReasons()
    {
        var db = TestDatabases.NewSqlite();
        var creport = TestPaths.Fixture("runtime", "slim", "nginx-distroless_creport.json");
        var missingImage = await TriageCli.Run("runtime", "ingest", "--db", db, "--json", creport, Path.Combine(_dir, "nope.json"));
        Assert.Equal(1, missingImage.Exit);
        var failed = JsonDocument.Parse(missingImage.Out).RootElement.GetProperty("failed").EnumerateArray().ToList();
        Assert.Equal(["invalid", "io"], failed.Select(f => f.GetProperty("code").GetString()));
        Assert.Contains("--image", failed[0].GetProperty("error").GetString());

        var empty = await TriageCli.Run("runtime", "ingest", "--db", db, "--image", "app:1", TestPaths.Fixture("runtime", "govulncheck", "defectdojo_govulncheck_empty.json"));
        Assert.Equal(1, empty.Exit);
        Assert.Contains("empty", empty.Err);

        Assert.Equal(2, (await TriageCli.Run("runtime", "ingest", "--db", db, "--observed-at", "yesterday", creport)).Exit);
        Assert.Equal(2, (await TriageCli.Run("runtime", "ingest", "--db", db, "--image", "not an image", creport)).Exit);
        var badCoverage = await TriageCli.Run("runtime", "ingest", "--db", db, "--coverage", "namespace:Shop", TestPaths.Fixture("runtime", "k8s", "kubelet_pods.json"));
        Assert.Equal(2, badCoverage.Exit);
        Assert.Contains("--coverage 'namespace:Shop' is not one of: cluster, namespaces:NAME[,NAME…], node:NAME, partial", badCoverage.Err);
        Assert.Equal(2, (await TriageCli.Run("runtime", "ingest", "--db", db)).Exit);

        var notEnrichment = await TriageCli.Run("enrich", "--db", db, TestPaths.Fixture("runtime", "k8s", "kubelet_pods.json"));
        Assert.Equal(1, notEnrichment.Exit);
        Assert.Contains("neither a CISA KEV catalog", notEnrichment.Err);
    }

    [Fact]
    public async Task RuntimeRefresh_RecomputesEverything()
    {
        var db = TestDatabases.NewSqlite();
        var r = await TriageCli.Run("runtime", "refresh", "--db", db);
        Assert.True(r.Exit == 0, r.ToString());
        Assert.Contains("0 findings scored", r.Out);
    }
}
