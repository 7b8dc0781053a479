using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Core.Vex;
using Triage.Data.Queries;
using Triage.Data.Vex;
using Triage.Testing;
using static Triage.Data.Tests.Vex.VexWorld;

namespace Triage.Data.Tests.Vex;

/// <summary>VEX documents into and out of the database, on both providers: matching, unmatched statements kept with their
/// reason, trust, versioned exports, and export → import into an empty database giving the same effective statuses.</summary>
public class VexImportExportTests
{
    private static string Oci(string digest) =>
        $"pkg:oci/app@{digest.Replace(":", "%3A", StringComparison.Ordinal)}?repository_url=index.docker.io/library/app";

    /// <summary>An OpenVEX document by "vendor@example.com": one statement per (vulnerability, product, status, extra fields).</summary>
    private static string OpenVex(params string[] statements) => $$"""
        {
          "@context": "https://openvex.dev/ns/v0.2.0",
          "@id": "https://example.com/vex/{{Guid.NewGuid():N}}",
          "author": "vendor@example.com",
          "timestamp": "2026-01-10T10:00:00Z",
          "version": 1,
          "statements": [{{string.Join(",", statements)}}]
        }
        """;

    private static string Statement(string vuln, string product, string status, string extra = "", string? subcomponent = null) => $$"""
        {
          "vulnerability": { "name": "{{vuln}}" },
          "products": [ { "@id": "{{product}}"{{(subcomponent is null ? "" : $$""", "subcomponents": [ { "@id": "{{subcomponent}}" } ]""")}} } ],
          "status": "{{status}}"{{extra}}
        }
        """;

    private static MemoryStream Bytes(string s) => new(Encoding.UTF8.GetBytes(s));

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Import_RecordsMatchedStatementsWithTheDocumentAsSource_AndKeepsEveryOtherStatementWithItsReason(string provider)
    {
        var w = new VexWorld(provider);
        await w.Scan(Image($"{App}:1", D1, ("CVE-2024-0001", "busybox", "1.36.1-r15"), ("CVE-2024-0002", "zlib", "1.3.1-r0")));
        var doc = OpenVex(
            Statement("CVE-2024-0001", Oci(D1), "not_affected", """, "justification": "component_not_present" """, "pkg:apk/alpine/busybox"),
            Statement("CVE-2024-0001", Oci(D2), "not_affected", """, "justification": "component_not_present" """),
            Statement("CVE-2024-9999", Oci(D1), "fixed"),
            Statement("CVE-2024-0002", Oci(D1), "not_affected"),
            Statement("CVE-2024-0002", Oci(D1), "bogus_status"));

        var report = await w.Imports.ImportAsync(Bytes(doc), "vendor.openvex.json");

        Assert.False(report.AlreadyImported);
        Assert.Equal(VexFormat.OpenVex, report.Document.Format);
        Assert.Equal("vendor@example.com", report.Document.Author);
        Assert.Equal(VexTrust.Trusted, report.Document.Trust);
        Assert.Equal(5, report.Statements);
        Assert.Equal(1, report.Matched);
        Assert.Equal(1, report.Findings);
        Assert.Equal(1, report.DecisionsRecorded);
        Assert.Equal(["no_image_with_digest", "vulnerability_unknown"], report.Unmatched.Select(u => u.Code).Order());
        Assert.All(report.Unmatched, u => Assert.False(string.IsNullOrWhiteSpace(u.Message)));
        Assert.Equal("not_affected_without_justification", Assert.Single(report.Rejected).Code);
        Assert.Equal("unknown_status", Assert.Single(report.Skipped).Code);

        var vex = (await w.Finding(D1, "CVE-2024-0001", "busybox")).Vex!;
        Assert.Equal(VexStatus.NotAffected, vex.Status);
        Assert.Equal("component_not_present", vex.Justification);
        Assert.Equal("openvex", vex.Source);
        Assert.Equal("vendor@example.com", vex.Author);
        Assert.Equal(new DateTimeOffset(2026, 1, 10, 10, 0, 0, TimeSpan.Zero), vex.Timestamp);
        Assert.Null((await w.Finding(D1, "CVE-2024-0002", "zlib")).Vex);

        // Listable later, with the bytes as received.
        var details = await w.Imports.DocumentAsync(report.Document.Id);
        Assert.Equal(4, details!.Issues.Count);
        Assert.Equal(doc, Encoding.UTF8.GetString((await w.Imports.ContentAsync(report.Document.Id))!));
        var history = await w.Decisions.HistoryAsync((await w.Finding(D1, "CVE-2024-0001", "busybox")).Id);
        var source = Assert.Single(history!.Timeline).Decision.Source;
        Assert.Equal(DecisionSourceView.Document, source.Kind);
        Assert.Equal(report.Document.DocumentId, source.DocumentId);
        Assert.Equal("1", source.Version);
        Assert.Equal(VexSignatureStatus.Unsigned, source.Signature);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task ReimportingTheSameBytes_MatchesImagesImportedSince_AndRecordsNothingTwice(string provider)
    {
        var w = new VexWorld(provider);
        await w.Scan(Image($"{App}:1", D1, ("CVE-2024-0001", "busybox", "1.36.1-r15")));
        var doc = OpenVex(
            Statement("CVE-2024-0001", Oci(D1), "fixed"),
            Statement("CVE-2024-0001", Oci(D2), "fixed"));
        var first = await w.Imports.ImportAsync(Bytes(doc), "v.json");
        Assert.Equal(1, first.DecisionsRecorded);
        Assert.Single(first.Unmatched);

        await w.Scan(Image($"{App}:2", D2, ("CVE-2024-0001", "busybox", "1.36.1-r15")));
        var again = await w.Imports.ImportAsync(Bytes(doc), "v.json");

        Assert.True(again.AlreadyImported);
        Assert.Equal(first.Document.Id, again.Document.Id);
        Assert.Equal(1, again.DecisionsRecorded);
        Assert.Empty(again.Unmatched);
        Assert.Empty((await w.Imports.DocumentAsync(first.Document.Id))!.Issues);
        Assert.Equal(2, (await w.Imports.DocumentAsync(first.Document.Id))!.Document.Decisions);
        Assert.Equal(0, (await w.Imports.ImportAsync(Bytes(doc), "v.json")).DecisionsRecorded);
        Assert.All(await w.Findings(), f => Assert.Equal(VexStatus.Fixed, f.Vex!.Status));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task ShowOnlyAuthor_IsInTheHistoryButNeverInForce_UntilTrusted_IgnoredAuthorRecordsNothing(string provider)
    {
        var w = new VexWorld(provider);
        await w.Scan(Image($"{App}:1", D1, ("CVE-2024-0001", "busybox", "1.36.1-r15")));
        var report = await w.Imports.ImportAsync(Bytes(OpenVex(Statement("CVE-2024-0001", Oci(D1), "fixed"))), "v.json", new VexImportOptions { Trust = VexTrust.ShowOnly });
        Assert.Equal(VexTrust.ShowOnly, report.Document.Trust);

        var finding = await w.Finding(D1, "CVE-2024-0001", "busybox");
        Assert.Null(finding.Vex);
        var entry = Assert.Single((await w.Decisions.HistoryAsync(finding.Id))!.Timeline);
        Assert.False(entry.Effective);
        Assert.Contains("show-only", entry.Reason);
        Assert.Equal(VexTrust.ShowOnly, entry.Decision.Source.Trust);

        await w.Imports.SetAuthorTrustAsync("Vendor@Example.com", VexTrust.Trusted, "admin");
        Assert.Equal(VexStatus.Fixed, (await w.Finding(D1, "CVE-2024-0001", "busybox")).Vex!.Status);

        var ignored = await w.Imports.ImportAsync(Bytes(OpenVex(Statement("CVE-2024-0001", Oci(D1), "affected", """, "action_statement": "Update." """))), "v2.json",
            new VexImportOptions { Trust = VexTrust.Ignore });
        Assert.Equal(0, ignored.DecisionsRecorded);
        Assert.Equal("ignored_by_trust_policy", Assert.Single(ignored.Unmatched).Code);
        // The author is now ignored: the statements already recorded stop counting too.
        Assert.Null((await w.Finding(D1, "CVE-2024-0001", "busybox")).Vex);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task ReimportOfTheSameBytes_WithAnotherTrust_RecomputesTheDecisionsInForce(string provider)
    {
        var w = new VexWorld(provider);
        await w.Scan(Image($"{App}:1", D1, ("CVE-2024-0001", "busybox", "1.36.1-r15")));
        var doc = OpenVex(Statement("CVE-2024-0001", Oci(D1), "fixed"));
        Assert.Equal(1, (await w.Imports.ImportAsync(Bytes(doc), "v.json")).DecisionsRecorded);
        Assert.Equal(VexStatus.Fixed, (await w.Finding(D1, "CVE-2024-0001", "busybox")).Vex!.Status);

        // Nothing new is recorded, but the author's trust changes with this import: what they said stops counting.
        var again = await w.Imports.ImportAsync(Bytes(doc), "v.json",
            new VexImportOptions { Trust = VexTrust.ShowOnly });
        Assert.True(again.AlreadyImported);
        Assert.Equal(0, again.DecisionsRecorded);
        Assert.Null((await w.Finding(D1, "CVE-2024-0001", "busybox")).Vex);

        // The same bytes once more under the same trust change nothing; trusted again, the decision is back in force.
        await w.Imports.ImportAsync(Bytes(doc), "v.json");
        Assert.Null((await w.Finding(D1, "CVE-2024-0001", "busybox")).Vex);
        await w.Imports.ImportAsync(Bytes(doc), "v.json", new VexImportOptions { Trust = VexTrust.Trusted });
        Assert.Equal(VexStatus.Fixed, (await w.Finding(D1, "CVE-2024-0001", "busybox")).Vex!.Status);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Import_NotVex_FailsWithItsReasonAndStoresNothing(string provider)
    {
        var w = new VexWorld(provider);
        var e = await Assert.ThrowsAsync<VexFormatException>(() => w.Imports.ImportAsync(Bytes("""{"SchemaVersion": 2, "Results": []}"""), "trivy.json"));
        Assert.Equal(VexErrorCode.NotVex, e.Code);
        Assert.Empty(await w.Imports.ListDocumentsAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Export_SameContentGivesTheSameBytes_ANewDecisionBumpsTheVersion(string provider)
    {
        var w = new VexWorld(provider);
        await w.Scan(Image($"{App}:1", D1, ("CVE-2024-0001", "busybox", "1.36.1-r15"), ("CVE-2024-0002", "zlib", "1.3.1-r0")));
        await Assert.ThrowsAsync<VexExportException>(() => w.Exports.ExportAsync(VexFormat.OpenVex, new VexExportScope.Image($"{App}:1")));
        await w.Decisions.RecordAsync(NotAffected("CVE-2024-0001", AtRepository));

        var first = await w.Exports.ExportAsync(VexFormat.OpenVex, new VexExportScope.Image($"{App}:1"), "security@example.com");
        w.Clock.Advance(TimeSpan.FromHours(1));
        var same = await w.Exports.ExportAsync(VexFormat.OpenVex, new VexExportScope.Image($"{App}:1"), "security@example.com");
        Assert.Equal(1, first.Result.Version);
        Assert.Null(first.PreviousVersion);
        Assert.False(same.Changed);
        Assert.Equal(first.Result.Json, same.Result.Json);

        await w.Decisions.RecordAsync(Status("CVE-2024-0002", AtRepository, VexStatus.Fixed));
        w.Clock.Advance(TimeSpan.FromHours(1));
        var next = await w.Exports.ExportAsync(VexFormat.OpenVex, new VexExportScope.Image($"{App}:1"), "security@example.com");
        Assert.True(next.Changed);
        Assert.Equal(2, next.Result.Version);
        Assert.Equal(1, next.PreviousVersion);
        Assert.Equal(first.Result.DocumentId, next.Result.DocumentId);
        using var doc = JsonDocument.Parse(next.Result.Json);
        Assert.Equal(2, doc.RootElement.GetProperty("version").GetInt32());
        Assert.Equal(2, doc.RootElement.GetProperty("statements").GetArrayLength());

        // CSAF keeps every revision across exports.
        await w.Exports.ExportAsync(VexFormat.Csaf, VexExportScope.Everything.Instance);
        await w.Decisions.RecordAsync(Affected("CVE-2024-0002", AtImage(D1)));
        var csaf = await w.Exports.ExportAsync(VexFormat.Csaf, VexExportScope.Everything.Instance);
        using var c = JsonDocument.Parse(csaf.Result.Json);
        Assert.Equal(2, c.RootElement.GetProperty("document").GetProperty("tracking").GetProperty("revision_history").GetArrayLength());
    }

    /// <summary>A repository's (or team's, or everything's) document is one document: a new digest in the scope gives it a
    /// new version under the same id (OpenVEX @id, CycloneDX serialNumber, CSAF tracking id), not a new document.</summary>
    [Theory]
    [MemberData(nameof(ProvidersAndFormats))]
    public async Task RepositoryExport_KeepsItsDocumentId_AsNewDigestsArrive(string provider, VexFormat format)
    {
        var w = new VexWorld(provider);
        await w.Scan(Image($"{App}:1", D1, ("CVE-2024-0001", "busybox", "1.36.1-r15")));
        await w.Decisions.RecordAsync(NotAffected("CVE-2024-0001", AtRepository));
        var first = await w.Exports.ExportAsync(format, new VexExportScope.Repository(App), "security@example.com");

        w.Clock.Advance(TimeSpan.FromHours(1));
        await w.Scan(Image($"{App}:2", D2, ("CVE-2024-0001", "busybox", "1.36.1-r20")));
        var second = await w.Exports.ExportAsync(format, new VexExportScope.Repository(App), "security@example.com");
        Assert.True(second.Changed);
        Assert.Equal(2, second.Images);
        Assert.Equal(2, second.Result.Version);
        Assert.Equal(first.Result.DocumentId, second.Result.DocumentId);
        Assert.Contains(D2["sha256:".Length..], second.Result.Json);

        // Another scope over the same images is another document.
        var everything = await w.Exports.ExportAsync(format, VexExportScope.Everything.Instance, "security@example.com");
        Assert.NotEqual(first.Result.DocumentId, everything.Result.DocumentId);
        Assert.Equal(1, everything.Result.Version);
    }

    public static TheoryData<string, VexFormat> ProvidersAndFormats()
    {
        var data = new TheoryData<string, VexFormat>();
        foreach (var p in new[] { TestDatabases.Sqlite, TestDatabases.Postgres })
            foreach (var f in new[] { VexFormat.OpenVex, VexFormat.CycloneDx, VexFormat.Csaf })
                data.Add(p, f);
        return data;
    }

    /// <summary>The scans both databases hold: two repositories, three digests, a vulnerability on several packages.</summary>
    private static async Task ScanAll(VexWorld w)
    {
        await w.Scan(Image($"{App}:1", D1, ("CVE-2024-0001", "busybox", "1.36.1-r15"), ("CVE-2024-0001", "ssl_client", "1.36.1-r15"),
            ("CVE-2024-0002", "zlib", "1.3.1-r0"), ("CVE-2024-0003", "musl", "1.2.4-r2"), ("CVE-2024-0004", "openssl", "3.1.4-r0")));
        await w.Scan(Image($"{App}:2", D2, ("CVE-2024-0001", "busybox", "1.36.1-r20"), ("CVE-2024-0002", "zlib", "1.3.1-r0")));
        await w.Scan(Image("ghcr.io/acme/api:7", D3, ("CVE-2024-0001", "busybox", "1.36.1-r15"), ("CVE-2024-0003", "musl", "1.2.4-r2")));
    }

    [Theory]
    [MemberData(nameof(ProvidersAndFormats))]
    public async Task ExportThenImportIntoAnEmptyDatabaseWithTheSameScans_GivesEveryFindingTheSameEffectiveStatus(string provider, VexFormat format)
    {
        var source = new VexWorld(provider);
        await ScanAll(source);
        await source.Decisions.RecordAsync(NotAffected("CVE-2024-0001", AtRepository, package: "pkg:apk/alpine/busybox"));
        source.Clock.Advance(TimeSpan.FromMinutes(5));
        await source.Decisions.RecordAsync(Affected("CVE-2024-0001", AtImage(D2)));
        await source.Decisions.RecordAsync(Status("CVE-2024-0002", DecisionTarget.Everywhere.Instance, VexStatus.Fixed));
        await source.Decisions.RecordAsync(new DecisionRequest
        {
            Vulnerability = "CVE-2024-0003", Target = new DecisionTarget.Image("ghcr.io/acme/api:7"), Status = VexStatus.NotAffected,
            CycloneDxJustification = CycloneDxJustification.RequiresEnvironment, Author = "carol",
        });
        await source.Decisions.RecordAsync(Status("CVE-2024-0003", AtImage(D1), VexStatus.UnderInvestigation));
        await source.Decisions.RecordAsync(new DecisionRequest
        {
            Vulnerability = "CVE-2024-0004", Target = AtRepository, Status = VexStatus.NotAffected,
            ImpactStatement = "OpenSSL is only used for hashing.", Author = "dave",
        });

        var exported = await source.Exports.ExportAsync(format, VexExportScope.Everything.Instance, "security@example.com");

        var target = new VexWorld(provider);
        await ScanAll(target);
        var report = await target.Imports.ImportAsync(Bytes(exported.Result.Json), "export.json");
        Assert.Empty(report.Unmatched);
        Assert.Empty(report.Rejected);

        static Dictionary<string, VexStatus?> Statuses(List<FindingView> fs) =>
            fs.ToDictionary(f => $"{f.Digest} {f.Package.Name} {f.Vulnerability.Id}", f => f.Vex?.Status);
        var before = Statuses(await source.Findings());
        var after = Statuses(await target.Findings());
        Assert.Equal(before.OrderBy(kv => kv.Key), after.OrderBy(kv => kv.Key));
        Assert.Equal(9, before.Count);
        Assert.Equal(7, before.Values.Count(v => v is not null));
        Assert.Equal(VexStatus.Affected, before[$"{D2} busybox CVE-2024-0001"]);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task FindingJson_WritesTheVexObjectOrNull(string provider)
    {
        var w = new VexWorld(provider);
        await w.Scan(Image($"{App}:1", D1, ("CVE-2024-0001", "busybox", "1.36.1-r15"), ("CVE-2024-0002", "zlib", "1.3.1-r0")));
        await w.Decisions.RecordAsync(NotAffected("CVE-2024-0001", AtRepository, "checks"));

        using var ms = new MemoryStream();
        using (var json = new Utf8JsonWriter(ms))
        {
            json.WriteStartArray();
            foreach (var f in await w.Findings()) FindingJson.Write(json, f);
            json.WriteEndArray();
        }
        using var doc = JsonDocument.Parse(ms.ToArray());
        var byVuln = doc.RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("vulnerability").GetProperty("id").GetString()!);
        var vex = byVuln["CVE-2024-0001"].GetProperty("vex");
        Assert.Equal("not_affected", vex.GetProperty("status").GetString());
        Assert.Equal("vulnerable_code_not_in_execute_path", vex.GetProperty("justification").GetString());
        Assert.Equal("repository", vex.GetProperty("scope").GetString());
        Assert.Equal("user", vex.GetProperty("source").GetString());
        Assert.Equal("checks", vex.GetProperty("author").GetString());
        Assert.Equal(w.Clock.Now, vex.GetProperty("timestamp").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, byVuln["CVE-2024-0002"].GetProperty("vex").ValueKind);

        await using var db = TriageDatabase.CreateContext(w.Connection);
        Assert.Equal(1, await db.Decisions.CountAsync());
    }

    // ---- Scope: an imported statement is recorded no wider than it states (docs/decisions/105-vex-import-scope.md) ----

    private const string Justified = """, "justification": "vulnerable_code_not_in_execute_path" """;

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Import_TaggedImageProduct_DecidesTheDigestsCarryingTheTag_NotTheRepository_AndNotALaterRebuild(string provider)
    {
        var w = new VexWorld(provider);
        await w.Scan(Image($"{App}:1", D1, ("CVE-2024-0001", "busybox", "1.36.1-r15")));
        await w.Scan(Image($"{App}:2", D2, ("CVE-2024-0001", "busybox", "1.36.1-r15")));
        var doc = OpenVex(
            Statement("CVE-2024-0001", "pkg:oci/app?repository_url=index.docker.io/library/app&tag=1", "not_affected", Justified),
            Statement("CVE-2024-0001", "pkg:oci/app?arch=arm64&repository_url=index.docker.io/library/app", "not_affected", Justified));

        var report = await w.Imports.ImportAsync(Bytes(doc), "tagged.openvex.json");

        Assert.Equal(1, report.DecisionsRecorded);
        Assert.Equal(1, report.Findings);
        Assert.Equal("image_qualifier_unknown", Assert.Single(report.Unmatched).Code);
        var tagged = (await w.Finding(D1, "CVE-2024-0001", "busybox")).Vex!;
        Assert.Equal(VexStatus.NotAffected, tagged.Status);
        Assert.Equal(DecisionScopeKind.Digest, tagged.Scope);
        Assert.Null((await w.Finding(D2, "CVE-2024-0001", "busybox")).Vex);

        // A rebuild pushed under tag 1 after the import is not what the document saw: undecided until it is imported again.
        await w.Scan(Image($"{App}:1", D3, ("CVE-2024-0001", "busybox", "1.36.1-r15")));
        Assert.Null((await w.Finding(D3, "CVE-2024-0001", "busybox")).Vex);
        var again = await w.Imports.ImportAsync(Bytes(doc), "tagged.openvex.json");
        Assert.Equal(1, again.DecisionsRecorded);
        Assert.Equal(DecisionScopeKind.Digest, (await w.Finding(D3, "CVE-2024-0001", "busybox")).Vex!.Scope);
        Assert.Null((await w.Finding(D2, "CVE-2024-0001", "busybox")).Vex);
        await using var db = TriageDatabase.CreateContext(w.Connection);
        Assert.All(await db.Decisions.ToListAsync(), d => Assert.Equal(DecisionScopeKind.Digest, d.ScopeKind));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Import_ApplicationWithDependencyProduct_DecidesOnlyTheImagesWithTheApplication(string provider)
    {
        var w = new VexWorld(provider);
        await w.Scan(new ReportBuilder(ScannerKind.Trivy, $"{App}:1", D1)
            .Claim("CVE-2024-0100", "golang", "example.com/app", "v3.0.0", purl: "pkg:golang/example.com/app@v3.0.0")
            .Claim("CVE-2024-0002", "golang", "example.com/lib", "v1.2.0", purl: "pkg:golang/example.com/lib@v1.2.0"));
        await w.Scan(new ReportBuilder(ScannerKind.Trivy, "docker.io/library/other:1", D2)
            .Claim("CVE-2024-0002", "golang", "example.com/lib", "v1.2.0", purl: "pkg:golang/example.com/lib@v1.2.0"));
        var doc = OpenVex(Statement("CVE-2024-0002", "pkg:golang/example.com/app", "not_affected", Justified, "pkg:golang/example.com/lib"));

        var report = await w.Imports.ImportAsync(Bytes(doc), "govulncheck.openvex.json");

        Assert.Equal(1, report.DecisionsRecorded);
        Assert.Empty(report.Unmatched);
        var lib = (await w.Findings()).Where(f => f.Vulnerability.Id == "CVE-2024-0002").ToDictionary(f => f.Digest!);
        Assert.Equal(DecisionScopeKind.Digest, lib[D1].Vex!.Scope);
        Assert.Equal(VexStatus.NotAffected, lib[D1].Vex!.Status);
        Assert.Null(lib[D2].Vex);
    }

    [FixtureTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Import_TrivyCycloneDxBomLinksIntoAnUnknownSbom_RecordNothing_AndAreListedWithTheReason(string provider)
    {
        var w = new VexWorld(provider);
        await w.Scan(new ReportBuilder(ScannerKind.Trivy, $"{App}:1", D1)
            .Claim("CVE-2021-44228", "maven", "org.springframework.boot:spring-boot", "2.6.0", purl: "pkg:maven/org.springframework.boot/spring-boot@2.6.0"));

        await using var file = File.OpenRead(TestPaths.Fixture("vex", "cyclonedx", "trivy-testdata_cyclonedx.json"));
        var report = await w.Imports.ImportAsync(file, "trivy-testdata_cyclonedx.json");

        Assert.Equal(0, report.Matched);
        Assert.Equal(0, report.DecisionsRecorded);
        Assert.Empty(report.Rejected);
        Assert.Equal(["sbom_unknown", "sbom_unknown"], report.Unmatched.Select(u => u.Code));
        Assert.Null(Assert.Single(await w.Findings()).Vex);
        var details = await w.Imports.DocumentAsync(report.Document.Id);
        var spring = Assert.Single(details!.Issues, i => i.Vulnerability == "CVE-2021-44228");
        Assert.Equal(VexIssueKind.Unmatched, spring.Kind);
        Assert.Contains("urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1", spring.Message);
        await using var db = TriageDatabase.CreateContext(w.Connection);
        Assert.Equal(0, await db.Decisions.CountAsync());
    }
}
