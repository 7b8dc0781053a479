using System.Text.Json;
using Triage.Cli.Tests.Support;
using Triage.Core.Tests.Vex.Support;
using Triage.Core.Vex;
using Triage.Testing;

namespace Triage.Cli.Tests;

/// <summary>
/// `triage decide` and `triage vex` as scripts use them, on the real alpine:3.19 scans (../shared/fixtures/matched): the flow of
/// the acceptance check vex-export, exit codes and refusal messages, documents valid against the official schemas, round trips.
/// </summary>
public class VexCliTests : IDisposable
{
    private const string Image = "docker.io/library/alpine:3.19";
    private readonly string _dir = Directory.CreateTempSubdirectory("triage-vex-cli-").FullName;

    public void Dispose()
    {
        TestDatabases.ClearPools();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private static string Trivy => TestPaths.Fixture("matched", "alpine-3.19", "trivy.json");
    private static string Grype => TestPaths.Fixture("matched", "alpine-3.19", "grype.json");

    private static async Task<string> Ingested(string provider, params string[] reports)
    {
        var db = TestDatabases.New(provider);
        var r = await TriageCli.Run(["ingest", "--db", db, "--image", Image, .. reports]);
        Assert.True(r.Exit == 0, r.ToString());
        return db;
    }

    [FixtureTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task CheckFlow_DecideRefuseExportThreeFormatsValidateAndRoundTrip(string provider)
    {
        var db = await Ingested(provider, Trivy, Grype);
        var vuln = (await TriageCli.Findings(db))[0].Vulnerability.Id;

        var refused = await TriageCli.Run("decide", "--db", db, "--vuln", vuln, "--image", Image, "--status", "not_affected", "--author", "checks");
        Assert.Equal(2, refused.Exit);
        Assert.Contains("needs a justification", refused.Err);
        Assert.Contains("not_affected_without_justification", refused.Err);
        Assert.Equal(0, await TriageCli.DecisionCount(db));

        var decided = await TriageCli.Run("decide", "--db", db, "--vuln", vuln, "--image", Image, "--status", "not_affected",
            "--justification", "vulnerable_code_not_in_execute_path", "--author", "checks");
        Assert.True(decided.Exit == 0, decided.ToString());
        Assert.Contains($"Decided {vuln} not_affected (vulnerable_code_not_in_execute_path) in image docker.io/library/alpine@sha256:", decided.Out);
        Assert.Contains("Applies to 3 current findings; governs 3.", decided.Out);

        var files = new Dictionary<VexFormat, string>();
        foreach (var format in new[] { VexFormat.OpenVex, VexFormat.CycloneDx, VexFormat.Csaf })
        {
            var file = Path.Combine(_dir, $"{provider}.{format.ToWire()}.json");
            var export = await TriageCli.Run("vex", "export", "--db", db, "--format", format.ToWire(), "--image", Image, "-o", file);
            Assert.True(export.Exit == 0, export.ToString());
            var json = await File.ReadAllTextAsync(file);
            Assert.Contains(vuln, json);
            var errors = format switch
            {
                VexFormat.OpenVex => VexSchemas.ValidateOpenVex(json),
                VexFormat.CycloneDx => VexSchemas.ValidateCycloneDx16(json),
                VexFormat.Csaf => [.. VexSchemas.ValidateCsaf20(json), .. CsafVexProfile.Check(json)],
            };
            Assert.True(errors.Count == 0, $"{format}: {string.Join("\n", errors)}");
            files[format] = file;
        }

        using (var openVex = JsonDocument.Parse(await File.ReadAllTextAsync(files[VexFormat.OpenVex])))
        {
            var st = Assert.Single(openVex.RootElement.GetProperty("statements").EnumerateArray());
            Assert.Equal(vuln, st.GetProperty("vulnerability").GetProperty("name").GetString());
            Assert.Equal("not_affected", st.GetProperty("status").GetString());
            Assert.Equal("vulnerable_code_not_in_execute_path", st.GetProperty("justification").GetString());
            Assert.All(st.GetProperty("products").EnumerateArray(), p => Assert.StartsWith("pkg:oci/", p.GetProperty("@id").GetString()));
        }

        // Round trip: the same scan (Trivy only) in a fresh database, then each document.
        foreach (var (format, file) in files)
        {
            var fresh = await Ingested(provider, Trivy);
            var import = await TriageCli.Run("vex", "import", "--db", fresh, file);
            Assert.True(import.Exit == 0, import.ToString());
            Assert.Contains("unmatched 0, rejected 0", import.Out);
            var decidedFindings = (await TriageCli.Findings(fresh)).Where(f => f.Vulnerability.Id == vuln).ToList();
            Assert.NotEmpty(decidedFindings);
            Assert.All(decidedFindings, f =>
            {
                Assert.Equal(VexStatus.NotAffected, f.Vex?.Status);
                Assert.Equal(format.ToWire(), f.Vex!.Source);
            });
        }
    }

    [FixtureFact]
    public async Task Decide_ExitCodesAndReasons()
    {
        var db = await Ingested(TestDatabases.Sqlite, Trivy);
        var vuln = (await TriageCli.Findings(db))[0].Vulnerability.Id;
        string[] Decide(params string[] more) => ["decide", "--db", db, "--vuln", vuln, .. more];

        var unknownVuln = await TriageCli.Run("decide", "--db", db, "--vuln", "CVE-2099-0001", "--image", Image, "--status", "fixed");
        Assert.Equal(1, unknownVuln.Exit);
        Assert.Contains("CVE-2099-0001 is not known", unknownVuln.Err);
        var unknownImage = await TriageCli.Run(Decide("--image", "docker.io/library/alpine:9.99", "--status", "fixed"));
        Assert.Equal(1, unknownImage.Exit);
        Assert.Contains("No image docker.io/library/alpine:9.99", unknownImage.Err);
        var unknownRepo = await TriageCli.Run(Decide("--repository", "ghcr.io/nobody/nothing", "--status", "fixed"));
        Assert.Equal(1, unknownRepo.Exit);

        var noScope = await TriageCli.Run(Decide("--status", "fixed"));
        Assert.Equal(2, noScope.Exit);
        Assert.Contains("exactly one of --image", noScope.Err);
        Assert.Equal(2, (await TriageCli.Run(Decide("--image", Image, "--all", "--status", "fixed"))).Exit);
        var badStatus = await TriageCli.Run(Decide("--all", "--status", "ignored"));
        Assert.Equal(2, badStatus.Exit);
        Assert.Contains("--status 'ignored'", badStatus.Err);
        var affected = await TriageCli.Run(Decide("--all", "--status", "affected"));
        Assert.Equal(2, affected.Exit);
        Assert.Contains("needs an action statement", affected.Err);
        var justified = await TriageCli.Run(Decide("--all", "--status", "fixed", "--justification", "component_not_present"));
        Assert.Equal(2, justified.Exit);
        Assert.Contains("cannot go with status fixed", justified.Err);
        Assert.Equal(2, (await TriageCli.Run(Decide("--all", "--status", "fixed", "--expires", "someday"))).Exit);
        var past = await TriageCli.Run(Decide("--all", "--status", "fixed", "--expires", "2001-01-01"));
        Assert.Equal(2, past.Exit);
        Assert.Contains("not after the statement's time", past.Err);
        var bare = await TriageCli.Run(Decide("--image", "alpine", "--status", "fixed"));
        Assert.Equal(2, bare.Exit);
        Assert.Contains("names a repository, not an image", bare.Err);
        Assert.Equal(2, (await TriageCli.Run(Decide("--all", "--status", "fixed", "--package", "busybox"))).Exit);
        Assert.Equal(2, (await TriageCli.Run("decide", "--db", db, "--all", "--status", "fixed")).Exit);
        Assert.Equal(0, await TriageCli.DecisionCount(db));
    }

    [FixtureFact]
    public async Task Decide_PreviewWritesNothing_JsonReportsWhatWasDecided()
    {
        var db = await Ingested(TestDatabases.Sqlite, Trivy, Grype);
        var vuln = (await TriageCli.Findings(db))[0].Vulnerability.Id;

        var preview = await TriageCli.Run("decide", "--db", db, "--vuln", vuln, "--repository", "alpine", "--package", "pkg:apk/alpine/busybox",
            "--status", "affected", "--action", "Rebuild on alpine 3.21.", "--response", "update", "--preview");
        Assert.True(preview.Exit == 0, preview.ToString());
        Assert.Contains("Preview, nothing recorded: would decide", preview.Out);
        Assert.Contains("Would apply to 1 current finding; would govern 1.", preview.Out);
        Assert.Contains("undecided → affected", preview.Out);
        Assert.Equal(0, await TriageCli.DecisionCount(db));

        var json = await TriageCli.Run("decide", "--db", db, "--vuln", vuln, "--repository", "alpine", "--package", "pkg:apk/alpine/busybox",
            "--status", "affected", "--action", "Rebuild on alpine 3.21.", "--response", "update", "--author", "ops", "--expires", "2099-01-01", "--json");
        Assert.True(json.Exit == 0, json.ToString());
        using var doc = JsonDocument.Parse(json.Out);
        var root = doc.RootElement;
        Assert.True(root.GetProperty("recorded").GetBoolean());
        Assert.Equal(1, root.GetProperty("applies").GetInt32());
        Assert.Equal(1, root.GetProperty("governs").GetInt32());
        var d = Assert.Single(root.GetProperty("decisions").EnumerateArray());
        Assert.Equal("repository", d.GetProperty("scope").GetProperty("kind").GetString());
        Assert.Equal("docker.io/library/alpine", d.GetProperty("scope").GetProperty("repository").GetString());
        Assert.Equal("affected", d.GetProperty("status").GetString());
        Assert.Equal(["update"], d.GetProperty("responses").EnumerateArray().Select(x => x.GetString()!));
        Assert.Equal("ops", d.GetProperty("author").GetString());
        Assert.Equal(new DateTime(2099, 1, 1, 0, 0, 0, DateTimeKind.Utc), d.GetProperty("expiresAt").GetDateTime());
        Assert.Equal("user", d.GetProperty("source").GetProperty("kind").GetString());
        Assert.Equal(1, await TriageCli.DecisionCount(db));
    }

    [FixtureFact]
    public async Task VexExport_IsDeterministic_VersionMovesOnlyWithContent_NothingDecidedExits1()
    {
        var db = await Ingested(TestDatabases.Sqlite, Trivy);
        var findings = await TriageCli.Findings(db);
        var file = Path.Combine(_dir, "a.json");
        var nothing = await TriageCli.Run("vex", "export", "--db", db, "--format", "openvex", "--image", Image, "-o", file);
        Assert.Equal(1, nothing.Exit);
        Assert.Contains("No VEX statement governs", nothing.Err);
        Assert.Equal(1, (await TriageCli.Run("vex", "export", "--db", db, "--format", "openvex", "--image", "docker.io/library/alpine:9.99", "-o", file)).Exit);

        Assert.Equal(0, (await TriageCli.Run("decide", "--db", db, "--vuln", findings[0].Vulnerability.Id, "--repository", "alpine", "--status", "fixed")).Exit);
        var first = await TriageCli.Run("vex", "export", "--db", db, "--format", "openvex", "--repository", "alpine", "-o", file, "--author", "sec@example.com");
        Assert.Contains("version 1 (first export)", first.Err);
        var bytes = await File.ReadAllBytesAsync(file);
        var again = await TriageCli.Run("vex", "export", "--db", db, "--format", "openvex", "--repository", "alpine", "-o", file, "--author", "sec@example.com");
        Assert.Contains("version 1 (unchanged)", again.Err);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(file));

        var other = findings.First(f => f.Vulnerability.Id != findings[0].Vulnerability.Id).Vulnerability.Id;
        Assert.Equal(0, (await TriageCli.Run("decide", "--db", db, "--vuln", other, "--all", "--status", "under_investigation")).Exit);
        var bumped = await TriageCli.Run("vex", "export", "--db", db, "--format", "openvex", "--repository", "alpine", "-o", file, "--author", "sec@example.com");
        Assert.Contains("version 2 (was version 1)", bumped.Err);
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(file));
        Assert.Equal(2, doc.RootElement.GetProperty("version").GetInt32());
        Assert.Equal("sec@example.com", doc.RootElement.GetProperty("author").GetString());
    }

    [FixtureFact]
    public async Task VexImport_ReportsUnmatchedStatementsWithTheirReason_NotVexExits1()
    {
        var db = await Ingested(TestDatabases.Sqlite, Trivy);
        var vuln = (await TriageCli.Findings(db))[0].Vulnerability.Id;
        var file = Path.Combine(_dir, "vendor.json");
        await File.WriteAllTextAsync(file, $$"""
            {
              "@context": "https://openvex.dev/ns/v0.2.0",
              "@id": "https://vendor.example/vex/1",
              "author": "Vendor",
              "timestamp": "2026-02-01T00:00:00Z",
              "version": 3,
              "statements": [
                { "vulnerability": { "name": "{{vuln}}" }, "products": [ { "@id": "pkg:oci/alpine?repository_url=index.docker.io/library/alpine" } ], "status": "fixed" },
                { "vulnerability": { "name": "{{vuln}}" }, "products": [ { "@id": "pkg:oci/nginx?repository_url=index.docker.io/library/nginx" } ], "status": "fixed" },
                { "vulnerability": { "name": "CVE-2031-0001" }, "products": [ { "@id": "pkg:apk/alpine/musl" } ], "status": "fixed" }
              ]
            }
            """);

        var text = await TriageCli.Run("vex", "import", "--db", db, file, "--trust", "show");
        Assert.True(text.Exit == 0, text.ToString());
        Assert.Contains("by Vendor version 3, trust show_only", text.Out);
        Assert.Contains("unmatched 2", text.Out);
        Assert.Contains("no_image_in_repository", text.Out);

        var json = await TriageCli.Run("vex", "import", "--db", db, file, "--json", "--trust", "trusted");
        using var doc = JsonDocument.Parse(json.Out);
        var root = doc.RootElement;
        Assert.True(root.GetProperty("alreadyImported").GetBoolean());
        Assert.Equal(1, root.GetProperty("matched").GetInt32());
        Assert.Equal(2, root.GetProperty("unmatched").GetInt32());
        Assert.Equal(0, root.GetProperty("rejected").GetInt32());
        Assert.Equal("trusted", root.GetProperty("document").GetProperty("trust").GetString());
        var reasons = root.GetProperty("unmatchedStatements").EnumerateArray().Select(u => u.GetProperty("code").GetString()!).Order().ToArray();
        Assert.Equal(["no_image_in_repository", "package_not_in_any_image"], reasons);
        Assert.All((await TriageCli.Findings(db)).Where(f => f.Vulnerability.Id == vuln), f => Assert.Equal(VexStatus.Fixed, f.Vex!.Status));

        var listed = await TriageCli.Run("vex", "documents", "--db", db, "1");
        Assert.True(listed.Exit == 0, listed.ToString());
        Assert.Contains("unmatched statements[1]", listed.Out);

        var notVex = await TriageCli.Run("vex", "import", "--db", db, Trivy);
        Assert.Equal(1, notVex.Exit);
        Assert.Contains("not_vex", notVex.Err);
        Assert.Equal(1, (await TriageCli.Run("vex", "import", "--db", db, Path.Combine(_dir, "missing.json"))).Exit);
        Assert.Equal(2, (await TriageCli.Run("vex", "import", "--db", db, file, "--trust", "maybe")).Exit);
    }

    [FixtureFact]
    public async Task VexReview_ListsDecisionsToLookAtAgain()
    {
        var db = await Ingested(TestDatabases.Sqlite, Trivy);
        Assert.Contains("No decision needs another look.", (await TriageCli.Run("vex", "review", "--db", db)).Out);
        var vuln = (await TriageCli.Findings(db))[0].Vulnerability.Id;
        Assert.Equal(0, (await TriageCli.Run("decide", "--db", db, "--vuln", vuln, "--all", "--status", "under_investigation")).Exit);
        await new Triage.Data.Vex.DecisionService(db).FlagKevListedAsync([vuln]);

        var review = await TriageCli.Run("vex", "review", "--db", db);
        Assert.Contains($"{vuln} under_investigation in everywhere", review.Out);
        Assert.Contains("entered_kev", review.Out);
    }
}
