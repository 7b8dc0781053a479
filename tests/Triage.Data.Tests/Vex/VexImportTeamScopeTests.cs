using System.Text;
using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Core.Vex;
using Triage.Data.Queries;
using Triage.Data.Vex;
using Triage.Testing;
using static Triage.Data.Tests.Vex.VexWorld;

namespace Triage.Data.Tests.Vex;

/// <summary>
/// A team member's VEX import (docs/decisions/107-team-scope-of-vex-imports-and-sessions.md), on both providers: statements
/// become decisions on the member's teams' images and on images no team owns, never on another team's nor everywhere; what
/// they would have reached there is listed with <c>not_your_image</c> or <c>admin_only_scope</c> and stored with the
/// document, and the rest of the document lands as usual. Without <see cref="VexImportOptions.ImporterSees"/> (an admin, the
/// CLI) nothing changes.
/// </summary>
public class VexImportTeamScopeTests
{
    internal const long TeamA = 1, TeamB = 2;
    internal const string Own = "registry.example/a/app", Others = "registry.example/b/app", Nobodys = "registry.example/n/app";
    private const string Justified = """, "justification": "vulnerable_code_not_in_execute_path" """;

    /// <summary>A member of team A.</summary>
    private static readonly VexImportOptions Member = new() { ImportedBy = "member", ImporterSees = new ImageVisibility([TeamA]) };

    /// <summary>Three images called "app" carrying tag 1, each with CVE-2024-0001 in busybox: team A's (D1), team B's (D2), nobody's (D3).</summary>
    internal static async Task<VexWorld> WorldAsync(string provider)
    {
        var w = new VexWorld(provider);
        await w.Scan(Image($"{Own}:1", D1, ("CVE-2024-0001", "busybox", "1.36.1-r15")));
        await w.Scan(Image($"{Others}:1", D2, ("CVE-2024-0001", "busybox", "1.36.1-r15")));
        await w.Scan(Image($"{Nobodys}:1", D3, ("CVE-2024-0001", "busybox", "1.36.1-r15")));
        await using var db = TriageDatabase.CreateContext(w.Connection);
        db.Teams.AddRange(new Team { Id = TeamA, Name = "team-a", CreatedAt = DateTime.UtcNow }, new Team { Id = TeamB, Name = "team-b", CreatedAt = DateTime.UtcNow });
        await db.SaveChangesAsync();
        (await db.Repositories.SingleAsync(r => r.Name == Own)).TeamId = TeamA;
        (await db.Repositories.SingleAsync(r => r.Name == Others)).TeamId = TeamB;
        await db.SaveChangesAsync();
        return w;
    }

    internal static string Oci(string repository, string digest) =>
        $"pkg:oci/app@{digest.Replace(":", "%3A", StringComparison.Ordinal)}?repository_url={repository}";

    internal static MemoryStream Document(params string[] statements) => new(Encoding.UTF8.GetBytes($$"""
        {
          "@context": "https://openvex.dev/ns/v0.2.0",
          "@id": "https://example.com/vex/{{Guid.NewGuid():N}}",
          "author": "vendor@example.com",
          "timestamp": "2026-01-10T10:00:00Z",
          "version": 1,
          "statements": [{{string.Join(",", statements)}}]
        }
        """));

    internal static string Statement(string vuln, string product, string? subcomponent = null) => $$"""
        {
          "vulnerability": { "name": "{{vuln}}" },
          "products": [ { "@id": "{{product}}"{{(subcomponent is null ? "" : $$""", "subcomponents": [ { "@id": "{{subcomponent}}" } ]""")}} } ],
          "status": "not_affected"{{Justified}}
        }
        """;

    private static async Task<Dictionary<string, VexStatus?>> StatusByDigestAsync(VexWorld w) =>
        (await w.Findings()).Where(f => f.Vulnerability.Id == "CVE-2024-0001").ToDictionary(f => f.Digest!, f => f.Vex?.Status);

    private static async Task<List<Decision>> DecisionsAsync(VexWorld w)
    {
        await using var db = TriageDatabase.CreateContext(w.Connection);
        return await db.Decisions.AsNoTracking().ToListAsync();
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Import_TaggedProductAcrossTeams_AsMember_RecordsOwnAndUnownedImages_AndListsTheOtherTeamsAsNotYourImage(string provider)
    {
        var w = await WorldAsync(provider);

        var report = await w.Imports.ImportAsync(Document(Statement("CVE-2024-0001", "pkg:oci/app?tag=1")), "tagged.openvex.json", Member);

        Assert.Equal(1, report.Matched);
        Assert.Equal(2, report.DecisionsRecorded);
        Assert.Equal(2, report.Findings);
        var refused = Assert.Single(report.Unmatched);
        Assert.Equal("not_your_image", refused.Code);
        Assert.Equal(0, refused.StatementIndex);
        // Said without naming the other team's image.
        Assert.DoesNotContain(Others, refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(D2, refused.Message, StringComparison.Ordinal);
        var status = await StatusByDigestAsync(w);
        Assert.Equal(VexStatus.NotAffected, status[D1]);
        Assert.Equal(VexStatus.NotAffected, status[D3]);
        Assert.Null(status[D2]);
        Assert.DoesNotContain(await DecisionsAsync(w), d => d.ScopeRepository == Others);

        // Stored with the document, as every unmatched statement is.
        var details = await w.Imports.DocumentAsync(report.Document.Id);
        Assert.Equal(["not_your_image"], details!.Issues.Select(i => i.Code));
        Assert.Equal(1, details.Document.Unmatched);
        Assert.Equal("member", details.Document.ImportedBy);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Import_ProductsNamingAnotherTeamsImageOrRepository_AsMember_RecordNothingThere_AndTheRestLands(string provider)
    {
        var w = await WorldAsync(provider);
        var doc = Document(
            Statement("CVE-2024-0001", Oci(Others, D2)),                        // the other team's digest
            Statement("CVE-2024-0001", $"pkg:oci/app?repository_url={Others}"), // the other team's repository
            Statement("CVE-2024-0009", Oci(Others, D2)),                        // a vulnerability that image does not have: as unknown as a missing image
            Statement("CVE-2024-0001", $"pkg:oci/app?repository_url={Own}"));   // the member's own repository

        var report = await w.Imports.ImportAsync(doc, "mixed.openvex.json", Member);

        Assert.Equal(4, report.Statements);
        Assert.Equal(1, report.Matched);
        Assert.Equal(1, report.DecisionsRecorded);
        Assert.Equal(["no_image_with_digest", "not_your_image", "not_your_image"], report.Unmatched.Select(u => u.Code).Order());
        Assert.Equal([0, 1], report.Unmatched.Where(u => u.Code == "not_your_image").Select(u => u.StatementIndex ?? -1).Order());
        var decision = Assert.Single(await DecisionsAsync(w));
        Assert.Equal((DecisionScopeKind.Repository, Own), (decision.ScopeKind, decision.ScopeRepository));
        var status = await StatusByDigestAsync(w);
        Assert.Equal(VexStatus.NotAffected, status[D1]);
        Assert.Null(status[D2]);
        Assert.Null(status[D3]);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Import_PackageProduct_AsMember_IsAdminOnlyScope_EvenWhereItWouldReachOnlyOwnImages(string provider)
    {
        var w = await WorldAsync(provider);

        var report = await w.Imports.ImportAsync(Document(Statement("CVE-2024-0001", "pkg:apk/alpine/busybox")), "package.openvex.json", Member);

        Assert.Equal(0, report.Matched);
        Assert.Equal(0, report.DecisionsRecorded);
        Assert.Equal("admin_only_scope", Assert.Single(report.Unmatched).Code);
        Assert.Empty(await DecisionsAsync(w));
        Assert.All((await StatusByDigestAsync(w)).Values, Assert.Null);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Import_ApplicationWithDependency_AsMember_RecordsTheImagesWithTheApplicationItSees(string provider)
    {
        var w = new VexWorld(provider);
        foreach (var (repo, digest) in new[] { (Own, D1), (Others, D2) })
            await w.Scan(new ReportBuilder(ScannerKind.Trivy, $"{repo}:1", digest)
                .Claim("CVE-2024-0100", "golang", "example.com/app", "v3.0.0", purl: "pkg:golang/example.com/app@v3.0.0")
                .Claim("CVE-2024-0002", "golang", "example.com/lib", "v1.2.0", purl: "pkg:golang/example.com/lib@v1.2.0"));
        await using (var db = TriageDatabase.CreateContext(w.Connection))
        {
            db.Teams.AddRange(new Team { Id = TeamA, Name = "team-a", CreatedAt = DateTime.UtcNow }, new Team { Id = TeamB, Name = "team-b", CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
            (await db.Repositories.SingleAsync(r => r.Name == Own)).TeamId = TeamA;
            (await db.Repositories.SingleAsync(r => r.Name == Others)).TeamId = TeamB;
            await db.SaveChangesAsync();
        }

        var report = await w.Imports.ImportAsync(Document(Statement("CVE-2024-0002", "pkg:golang/example.com/app", "pkg:golang/example.com/lib")),
            "govulncheck.openvex.json", Member);

        Assert.Equal(1, report.DecisionsRecorded);
        Assert.Equal("not_your_image", Assert.Single(report.Unmatched).Code);
        var lib = (await w.Findings()).Where(f => f.Vulnerability.Id == "CVE-2024-0002").ToDictionary(f => f.Digest!);
        Assert.Equal(VexStatus.NotAffected, lib[D1].Vex?.Status);
        Assert.Null(lib[D2].Vex);
    }

    /// <summary>An admin or the CLI imports with no limit: every team's images and everywhere, as before.</summary>
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Import_WithoutLimits_RecordsEveryTeamsImagesAndEverywhere(string provider)
    {
        var w = await WorldAsync(provider);
        var doc = Document(Statement("CVE-2024-0001", "pkg:oci/app?tag=1"), Statement("CVE-2024-0001", "pkg:apk/alpine/busybox"));

        var report = await w.Imports.ImportAsync(doc, "admin.openvex.json", new VexImportOptions { ImportedBy = "cli:operator" });

        Assert.Empty(report.Unmatched);
        Assert.Equal(2, report.Matched);
        Assert.Equal(4, report.DecisionsRecorded);
        Assert.Contains(await DecisionsAsync(w), d => d.ScopeKind == DecisionScopeKind.Global);
        Assert.All((await StatusByDigestAsync(w)).Values, s => Assert.Equal(VexStatus.NotAffected, s));
    }

    /// <summary>What a member's import left out is there for an admin: the same document imported again records it.</summary>
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Import_SameDocumentByAnAdminAfterAMember_RecordsWhatTheMemberCouldNot(string provider)
    {
        var w = await WorldAsync(provider);
        var bytes = Document(Statement("CVE-2024-0001", "pkg:oci/app?tag=1")).ToArray();
        var first = await w.Imports.ImportAsync(new MemoryStream(bytes), "tagged.openvex.json", Member);
        Assert.Equal(2, first.DecisionsRecorded);

        var again = await w.Imports.ImportAsync(new MemoryStream(bytes), "tagged.openvex.json", new VexImportOptions { ImportedBy = "admin" });

        Assert.True(again.AlreadyImported);
        Assert.Equal(1, again.DecisionsRecorded);
        Assert.Empty(again.Unmatched);
        Assert.Empty((await w.Imports.DocumentAsync(again.Document.Id))!.Issues);
        Assert.Equal(VexStatus.NotAffected, (await StatusByDigestAsync(w))[D2]);
    }
}
