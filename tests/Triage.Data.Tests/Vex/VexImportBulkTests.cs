using System.Text;
using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Core.Vex;
using Triage.Data.Vex;
using Triage.Testing;
using static Triage.Data.Tests.Vex.VexWorld;

namespace Triage.Data.Tests.Vex;

/// <summary>
/// A VEX document of many statements writes its decisions through the bulk path (<see cref="BulkDecisionRowWriter"/>), as a
/// bulk decision does (issue 5). On both providers: the rows are those the entity path writes, byte for byte, the report
/// and the document's counts are the same, a re-import after a new image records only what that image adds, and a third
/// import records nothing.
/// </summary>
public class VexImportBulkTests
{
    private static readonly string D4 = "sha256:" + new string('4', 64);

    private static readonly (string Table, string OrderBy)[] Written =
    [
        ("Decisions", "\"Id\""),
        ("DecisionVulnerabilityIds", "\"DecisionId\", \"VulnKey\""),
        ("EffectiveDecisions", "\"FindingId\""),
        ("DecidedFindingRollups", "\"ArtifactId\", \"Severity\", \"FixAvailable\", \"ScannerMask\""),
        ("VexDocuments", "\"Id\""),
        ("VexDocumentIssues", "\"Id\""),
        ("VexAuthors", "\"AuthorKey\""),
    ];

    private static readonly (string Vuln, string Package, string Version)[] Claims =
        [.. Enumerable.Range(0, 40).Select(i => ($"CVE-2024-{1000 + i}", $"pkg{i % 9}", "1.0.0-r0"))];

    private static string Oci(string repository, string digest) =>
        $"pkg:oci/{repository[(repository.LastIndexOf('/') + 1)..]}@{digest.Replace(":", "%3A", StringComparison.Ordinal)}?repository_url={repository.Replace("docker.io/", "index.docker.io/", StringComparison.Ordinal)}";

    /// <summary>Every status and product form over the 40 claims: digest products with the package as subcomponent, a
    /// repository product, package products (global), statements about D4 (no such image yet), an unknown vulnerability,
    /// a package in no image, and a not_affected without justification (rejected).</summary>
    private static string Document()
    {
        var statements = new List<string>();
        for (var i = 0; i < Claims.Length; i++)
        {
            var (vuln, package, version) = Claims[i];
            var sub = $"pkg:apk/alpine/{package}@{version}";
            var status = (i % 4) switch
            {
                0 => """ "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path", "impact_statement": "Never called \uE000." """,
                1 => """ "status": "affected", "action_statement": "Upgrade to 1.0.1." """,
                2 => """ "status": "fixed" """,
                _ => """ "status": "under_investigation" """,
            };
            string Statement(string v, string product, string? subcomponent, string st = "") =>
                $$"""{ "vulnerability": { "name": "{{v}}" }, "products": [ { "@id": "{{product}}"{{(subcomponent is null ? "" : $$""", "subcomponents": [ { "@id": "{{subcomponent}}" } ]""")}} } ], {{(st == "" ? status : st)}} }""";
            statements.Add(Statement(vuln, Oci(App, i % 2 == 0 ? D1 : D2), sub));
            statements.Add(Statement(vuln, Oci(App, D4), sub));
            if (i % 5 == 0) statements.Add(Statement(vuln, $"pkg:oci/other?repository_url=index.docker.io/library/other", sub));
            if (i % 7 == 0) statements.Add(Statement(vuln, $"pkg:apk/alpine/{package}", null));
            if (i % 10 == 0) statements.Add(Statement($"CVE-2099-{i}", Oci(App, D1), sub));
            if (i % 10 == 1) statements.Add(Statement(vuln, "pkg:apk/alpine/nosuchlib", null));
            if (i % 10 == 2) statements.Add(Statement(vuln, Oci(App, D2), sub, """ "status": "not_affected" """));
        }
        return $$"""
            {
              "@context": "https://openvex.dev/ns/v0.2.0",
              "@id": "https://example.com/vex/bulk",
              "author": "vendor@example.com",
              "timestamp": "2026-01-10T10:00:00Z",
              "version": 1,
              "statements": [{{string.Join(",\n", statements)}}]
            }
            """;
    }

    private static async Task<VexWorld> SeedAsync(string provider, DateTimeOffset? clock = null)
    {
        var w = new VexWorld(provider);
        if (clock is { } c) w.Clock.Now = c;
        await w.Scan(Image($"{App}:1", D1, Claims));
        await w.Scan(Image($"{App}:2", D2, Claims));
        await w.Scan(Image("docker.io/library/other:1", D3, Claims));
        return w;
    }

    private static string Shape(VexImportReport r) =>
        $"{r.Document.Id} {r.AlreadyImported} {r.Statements} {r.Matched} {r.Findings} {r.DecisionsRecorded} {r.Document.Decisions} {r.Document.Matched} " +
        $"{r.Document.Unmatched} {r.Document.Rejected} {r.Document.Statements} {r.Document.Trust} {r.Document.Signature} " +
        $"[{string.Join(", ", r.Unmatched.Concat(r.Rejected).Concat(r.Skipped).Select(i => $"{i.KindName}:{i.StatementIndex}:{i.Code}"))}]";

    private static async Task<List<string>> ImportThreeTimesAsync(VexWorld w, DecisionWritePath path)
    {
        var service = new VexImportService(w.Connection, w.Clock) { WritePath = path };
        var bytes = Encoding.UTF8.GetBytes(Document());
        var first = await service.ImportAsync(new MemoryStream(bytes), "vendor.openvex.json");
        w.Clock.Advance(TimeSpan.FromMinutes(1));
        await w.Scan(Image($"{App}:4", D4, Claims));
        var again = await service.ImportAsync(new MemoryStream(bytes), "vendor.openvex.json");
        w.Clock.Advance(TimeSpan.FromMinutes(1));
        var third = await service.ImportAsync(new MemoryStream(bytes), "vendor.openvex.json");
        return [Shape(first), Shape(again), Shape(third)];
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task LargeDocument_BulkPath_WritesExactlyTheRowsOfTheEntityPath_AndReimportAddsOnlyWhatANewImageBrings(string provider)
    {
        var entities = await SeedAsync(provider);
        var bulk = await SeedAsync(provider, entities.Clock.Now);

        var viaEntities = await ImportThreeTimesAsync(entities, DecisionWritePath.Entities);
        var viaBulk = await ImportThreeTimesAsync(bulk, DecisionWritePath.Bulk);

        Assert.Equal(viaEntities, viaBulk);
        var expected = await DecisionBulkWriteTests.DumpAsync(entities.Connection, Written);
        var actual = await DecisionBulkWriteTests.DumpAsync(bulk.Connection, Written);
        foreach (var (table, _) in Written) Assert.Equal(expected[table], actual[table]);

        // The first import records well above the bulk threshold, the second only D4's share, the third nothing.
        var reports = await new VexImportService(bulk.Connection, bulk.Clock).ListDocumentsAsync();
        var document = Assert.Single(reports);
        var counts = viaBulk.Select(s => int.Parse(s.Split(' ')[5], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.True(counts[0] >= 2 * DecisionRowWriter.BulkFrom, $"first import recorded {counts[0]}");
        Assert.True(counts[1] >= DecisionRowWriter.BulkFrom, $"re-import recorded {counts[1]}");
        Assert.Equal(0, counts[2]);
        // The third import recorded nothing under the same trust and signature: it left the decisions in force alone
        // (the clock moved a minute before it; a recompute would have stamped every row with that minute).
        await using (var db = TriageDatabase.CreateContext(bulk.Connection))
            Assert.True((await db.EffectiveDecisions.Select(e => e.ComputedAt).ToListAsync()).Max() < bulk.Clock.GetUtcNow().UtcDateTime.AddSeconds(-30));
        Assert.Equal(counts[0] + counts[1], document.Decisions);
        Assert.Equal(document.Decisions, expected["Decisions"].Count);
        Assert.NotEmpty(expected["EffectiveDecisions"]);
        Assert.NotEmpty(expected["VexDocumentIssues"]);
        Assert.Contains(expected["VexDocumentIssues"], r => r.Contains("not_affected_without_justification", StringComparison.Ordinal));

        // The decisions are in force as the statements say: the digest statements on D1 govern its findings.
        var d1 = await bulk.Finding(D1, "CVE-2024-1000", "pkg0");
        Assert.Equal(VexStatus.NotAffected, d1.Vex!.Status);
        Assert.Equal("openvex", d1.Vex.Source);
        var d4 = await bulk.Finding(D4, "CVE-2024-1002", "pkg2");
        Assert.Equal(VexStatus.Fixed, d4.Vex!.Status);
    }
}
