using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Triage.Core.Audit;
using Triage.Core.Domain;
using Triage.Core.Vex;
using Triage.Data.Audit;
using Triage.Data.Queries;
using Triage.Data.Vex;
using Triage.Testing;
using static Triage.Data.Tests.Vex.VexWorld;

namespace Triage.Data.Tests.Vex;

/// <summary>
/// A VEX document imported before the scans of the images it names is matched again after those scans land
/// (docs/decisions/110-vex-rematch-after-imports.md), on both providers: its unmatched statements become decisions in force,
/// its issue list follows, what matched before does not spread to later images, the original importer's team scope holds,
/// an importer Triage cannot vouch for records nothing, and without a due document nothing is done.
/// </summary>
public class VexRematchTests
{
    private const string Cve = "CVE-2024-0001";
    private const string RepoA = "registry.example/a/app", RepoB = "registry.example/b/app", RepoT = "registry.example/t/app";
    private const string Justified = """, "justification": "vulnerable_code_not_in_execute_path" """;
    private static readonly VexImportOptions Cli = new() { ImportedBy = "cli:operator" };

    private static byte[] Document(params string[] statements) => Encoding.UTF8.GetBytes($$"""
        {
          "@context": "https://openvex.dev/ns/v0.2.0",
          "@id": "https://example.com/vex/{{Guid.NewGuid():N}}",
          "author": "vendor@example.com",
          "timestamp": "2026-01-10T10:00:00Z",
          "version": 1,
          "statements": [{{string.Join(",", statements)}}]
        }
        """);

    private static string Statement(string vuln, string product) => $$"""
        { "vulnerability": { "name": "{{vuln}}" }, "products": [ { "@id": "{{product}}" } ], "status": "not_affected"{{Justified}} }
        """;

    private static string Oci(string repository, string digest) =>
        $"pkg:oci/app@{digest.Replace(":", "%3A", StringComparison.Ordinal)}?repository_url={repository}";

    private static Task<VexImportReport> ImportVex(VexWorld w, byte[] bytes, VexImportOptions options, string name = "vendor.openvex.json") =>
        w.Imports.ImportAsync(new MemoryStream(bytes), name, options);

    private static Task<Triage.Data.Import.ImportSummary> ScanAsync(VexWorld w, string repository, string digest, string tag = "1.0") =>
        w.Scan(Image($"{repository}:{tag}", digest, (Cve, "busybox", "1.36.1-r15")));

    private static Task<IReadOnlyList<VexRematchOutcome>> RematchAsync(VexWorld w) =>
        new VexRematch(w.Connection, w.Clock).AfterImportsAsync(DateTimeOffset.UtcNow, AuditChannels.Cli);

    /// <summary>The decision in force (ADR 025) of each image's finding on <see cref="Cve"/>, by digest.</summary>
    private static async Task<Dictionary<string, EffectiveDecision?>> InForceAsync(VexWorld w)
    {
        await using var db = TriageDatabase.CreateContext(w.Connection);
        var findings = await (from f in db.Findings join a in db.Artifacts on f.ArtifactId equals a.Id select new { f.Id, a.Digest }).ToListAsync();
        var rows = await db.EffectiveDecisions.AsNoTracking().ToListAsync();
        return findings.ToDictionary(f => f.Digest!, f => rows.SingleOrDefault(r => r.FindingId == f.Id));
    }

    private static async Task<VexDocumentRecord> StoredAsync(VexWorld w, long id)
    {
        await using var db = TriageDatabase.CreateContext(w.Connection);
        return await db.VexDocuments.AsNoTracking().SingleAsync(d => d.Id == id);
    }

    private static async Task<List<AuditEvent>> RematchAuditAsync(VexWorld w)
    {
        await using var db = TriageDatabase.CreateContext(w.Connection);
        return await db.AuditEvents.AsNoTracking().Where(e => e.Action == AuditActions.VexRematched).OrderBy(e => e.Id).ToListAsync();
    }

    private static async Task AssignAsync(VexWorld w, string repository, long team)
    {
        await using var db = TriageDatabase.CreateContext(w.Connection);
        if (!await db.Teams.AnyAsync(t => t.Id == team))
            db.Teams.Add(new Team { Id = team, Name = $"team-{team}", CreatedAt = DateTime.UtcNow });
        await db.SaveChangesAsync();
        (await db.Repositories.SingleAsync(r => r.Name == repository)).TeamId = team;
        await db.SaveChangesAsync();
    }

    /// <summary>A user as the web app stores one: Identity user, role, team memberships.</summary>
    private static async Task<string> UserAsync(VexWorld w, string userName, TriageRole role, long[] teams, string? displayName = null, bool locked = false)
    {
        await TriageDatabase.EnsureMigratedAsync(w.Connection);
        await using var db = TriageDatabase.CreateContext(w.Connection);
        var roleName = role.ToName();
        var roleRow = await db.Roles.FirstOrDefaultAsync(r => r.Name == roleName);
        if (roleRow is null) db.Roles.Add(roleRow = new IdentityRole(roleName) { NormalizedName = roleName.ToUpperInvariant() });
        var user = new TriageUser
        {
            UserName = userName, NormalizedUserName = userName.ToUpperInvariant(), Email = userName, NormalizedEmail = userName.ToUpperInvariant(),
            DisplayName = displayName, CreatedAt = DateTime.UtcNow, LockoutEnabled = true, LockoutEnd = locked ? DateTimeOffset.MaxValue : null,
        };
        db.Users.Add(user);
        foreach (var team in teams)
            if (!await db.Teams.AnyAsync(t => t.Id == team))
                db.Teams.Add(new Team { Id = team, Name = $"team-{team}", CreatedAt = DateTime.UtcNow });
        await db.SaveChangesAsync();
        db.UserRoles.Add(new IdentityUserRole<string> { UserId = user.Id, RoleId = roleRow.Id });
        db.TeamMembers.AddRange(teams.Select(t => new TeamMember { TeamId = t, UserId = user.Id }));
        await db.SaveChangesAsync();
        return user.Id;
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Rematch_DigestRepositoryAndTagProducts_ImportedBeforeTheirScans_BecomeDecisionsInForce_AndTheIssuesFollow(string provider)
    {
        var w = new VexWorld(provider);
        var bytes = Document(
            Statement(Cve, Oci(RepoA, D1)),                              // a digest product
            Statement(Cve, $"pkg:oci/app?repository_url={RepoB}"),       // a repository product
            Statement(Cve, "pkg:oci/app?tag=7.7"));                      // a tag product
        var first = await ImportVex(w, bytes, Cli);
        Assert.Equal(0, first.DecisionsRecorded);
        Assert.Equal(["no_image_in_repository", "no_image_in_repository", "no_image_with_digest"], first.Unmatched.Select(u => u.Code).Order());
        var before = await StoredAsync(w, first.Document.Id);

        await ScanAsync(w, RepoA, D1);
        await ScanAsync(w, RepoB, D2);
        await ScanAsync(w, RepoT, D3, tag: "7.7");
        var outcome = Assert.Single(await RematchAsync(w));

        Assert.Equal((first.Document.Id, VexRematchState.Matched, 3), (outcome.DocumentId, outcome.State, outcome.DecisionsRecorded));
        var inForce = await InForceAsync(w);
        Assert.All(new[] { D1, D2, D3 }, d => Assert.Equal(VexStatus.NotAffected, inForce[d]?.Status));
        Assert.Equal(DecisionScopeKind.Digest, inForce[D1]!.ScopeKind);
        Assert.Equal(DecisionScopeKind.Repository, inForce[D2]!.ScopeKind);
        Assert.Equal(DecisionScopeKind.Digest, inForce[D3]!.ScopeKind);
        // The document as a re-import leaves it: no issue left, counts and time updated; who imported it, its trust and
        // signature status as they were.
        var details = (await w.Imports.DocumentAsync(first.Document.Id))!;
        Assert.Empty(details.Issues);
        Assert.Equal((3, 0, 3), (details.Document.Matched, details.Document.Unmatched, details.Document.Decisions));
        var after = await StoredAsync(w, first.Document.Id);
        Assert.Equal((before.ImportedBy, before.Trust, before.Signature, before.ImportedAt), (after.ImportedBy, after.Trust, after.Signature, after.ImportedAt));
        Assert.True(after.LastMatchedAt >= before.LastMatchedAt);
        var audit = Assert.Single(await RematchAuditAsync(w));
        Assert.Equal((VexRematch.SystemActor, (string?)null, AuditChannels.Cli, true), (audit.Actor, audit.ActorId, audit.Channel, audit.Succeeded));
        Assert.Equal("vendor.openvex.json", audit.Target);
        Assert.StartsWith($"document {first.Document.Id}: 3 decisions recorded", audit.Details);

        // Matched again later: nothing due, nothing recorded twice.
        Assert.Empty(await RematchAsync(w));
        Assert.Single(await RematchAuditAsync(w));
    }

    /// <summary>What matched before does not spread: a rebuild pushed later under the tag is not covered (ADR 105) when another
    /// statement of the document brings it back for matching.</summary>
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Rematch_RecordsOnlyWhatWasUnmatched_NotATagProductsLaterRebuild(string provider)
    {
        var w = new VexWorld(provider);
        await ScanAsync(w, RepoT, D1, tag: "7.7");
        var first = await ImportVex(w, Document(Statement(Cve, "pkg:oci/app?tag=7.7"), Statement(Cve, Oci(RepoA, D3))), Cli);
        Assert.Equal(1, first.DecisionsRecorded);

        await ScanAsync(w, RepoT, D2, tag: "7.7");   // the rebuild
        await ScanAsync(w, RepoA, D3);
        var outcome = Assert.Single(await RematchAsync(w));

        Assert.Equal(1, outcome.DecisionsRecorded);
        var inForce = await InForceAsync(w);
        Assert.NotNull(inForce[D1]);
        Assert.NotNull(inForce[D3]);
        Assert.Null(inForce[D2]);
    }

    /// <summary>A team member's document (ADR 107): what arrives later on their team's repository is decided, another team's is
    /// not, and is listed as <c>not_your_image</c> as at import.</summary>
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Rematch_MembersDocument_ReachesTheirTeamsLaterImage_NotAnotherTeams(string provider)
    {
        const long teamA = 1, teamB = 2;
        var w = new VexWorld(provider);
        await UserAsync(w, "member@example.test", TriageRole.Triager, [teamA], displayName: "Mem Ber");
        // As the VEX page writes it: the display name.
        var member = new VexImportOptions { ImportedBy = "Mem Ber", ImporterSees = new ImageVisibility([teamA]) };
        var first = await ImportVex(w, Document(Statement(Cve, $"pkg:oci/app?repository_url={RepoA}"), Statement(Cve, Oci(RepoB, D2))), member);
        Assert.Equal(0, first.DecisionsRecorded);

        await ScanAsync(w, RepoA, D1);
        await ScanAsync(w, RepoB, D2);
        await AssignAsync(w, RepoA, teamA);
        await AssignAsync(w, RepoB, teamB);
        var outcome = Assert.Single(await RematchAsync(w));

        Assert.Equal((VexRematchState.Matched, 1), (outcome.State, outcome.DecisionsRecorded));
        var inForce = await InForceAsync(w);
        Assert.Equal(DecisionScopeKind.Repository, inForce[D1]?.ScopeKind);
        Assert.Null(inForce[D2]);
        await using var db = TriageDatabase.CreateContext(w.Connection);
        Assert.False(await db.Decisions.AnyAsync(d => d.ScopeRepository == RepoB));
        Assert.Equal(["not_your_image"], (await w.Imports.DocumentAsync(first.Document.Id))!.Issues.Select(i => i.Code));
    }

    /// <summary>ImportedBy is a free string: an importer who is disabled, unknown, or a "cli:" name a person used, records
    /// nothing beyond their scope; the skip is audited once, not after every import.</summary>
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Rematch_ImporterDisabledUnknownOrAPersonNamedCli_RecordsNothingOutsideTheirScope_AndAuditsTheSkipOnce(string provider)
    {
        const long teamA = 1, teamB = 2;
        var w = new VexWorld(provider);
        await UserAsync(w, "gone@example.test", TriageRole.Triager, [teamA], locked: true);
        // A person whose display name looks like the command line's, and who acted under it (then renamed).
        var spoofId = await UserAsync(w, "spoof@example.test", TriageRole.Triager, [teamA], displayName: "cli:root");
        await new AuditLog(w.Connection).AppendAsync(new AuditActor("cli:root", spoofId, AuditChannels.Web, null), AuditActions.VexImported, "vex-document", "spoof.openvex.json");
        await using (var db = TriageDatabase.CreateContext(w.Connection))
        {
            (await db.Users.SingleAsync(u => u.Id == spoofId)).DisplayName = "Renamed";
            await db.SaveChangesAsync();
        }
        var product = Statement(Cve, $"pkg:oci/app?repository_url={RepoB}");
        var disabled = await ImportVex(w, Document(product), new VexImportOptions { ImportedBy = "gone@example.test", ImporterSees = new([teamA]) }, "disabled.json");
        var unknown = await ImportVex(w, Document(product), new VexImportOptions { ImportedBy = "somebody", ImporterSees = new([teamA]) }, "unknown.json");
        var spoofed = await ImportVex(w, Document(product), new VexImportOptions { ImportedBy = "cli:root", ImporterSees = new([teamA]) }, "spoof.openvex.json");

        await ScanAsync(w, RepoB, D2);
        await AssignAsync(w, RepoB, teamB);
        var outcomes = (await RematchAsync(w)).ToDictionary(o => o.DocumentId);

        Assert.Equal(VexRematchState.Skipped, outcomes[disabled.Document.Id].State);
        Assert.Contains("disabled", outcomes[disabled.Document.Id].Reason);
        Assert.Equal(VexRematchState.Skipped, outcomes[unknown.Document.Id].State);
        Assert.Contains("not a known user", outcomes[unknown.Document.Id].Reason);
        // The person, in their team's scope: the other team's image stays undecided.
        Assert.Equal((VexRematchState.Matched, 0), (outcomes[spoofed.Document.Id].State, outcomes[spoofed.Document.Id].DecisionsRecorded));
        Assert.Null((await InForceAsync(w))[D2]);
        // The skipped documents are as they were.
        Assert.Equal(["no_image_in_repository"], (await w.Imports.DocumentAsync(disabled.Document.Id))!.Issues.Select(i => i.Code));
        var audit = await RematchAuditAsync(w);
        Assert.Equal(2, audit.Count);
        Assert.All(audit, e => Assert.False(e.Succeeded));
        Assert.All(audit, e => Assert.Equal(VexRematch.SystemActor, e.Actor));

        Assert.False(outcomes[disabled.Document.Id].Repeated);

        // The same skips again: audited once, and marked as said before (callers do not warn about them again).
        await ScanAsync(w, RepoB, D3);
        var again = (await RematchAsync(w)).ToDictionary(o => o.DocumentId);
        Assert.Equal(2, (await RematchAuditAsync(w)).Count);
        Assert.True(again[disabled.Document.Id].Repeated);
        Assert.True(again[unknown.Document.Id].Repeated);
    }

    /// <summary>The CLI's and an admin's documents keep full scope.</summary>
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Rematch_AdminsDocument_ReachesEveryTeamsLaterImage(string provider)
    {
        var w = new VexWorld(provider);
        await UserAsync(w, "boss@example.test", TriageRole.Admin, []);
        var first = await ImportVex(w, Document(Statement(Cve, Oci(RepoB, D2))), new VexImportOptions { ImportedBy = "boss@example.test" });

        await ScanAsync(w, RepoB, D2);
        await AssignAsync(w, RepoB, 2);
        var outcome = Assert.Single(await RematchAsync(w));

        Assert.Equal((first.Document.Id, 1), (outcome.DocumentId, outcome.DecisionsRecorded));
        Assert.NotNull((await InForceAsync(w))[D2]);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Rematch_WithoutADueDocument_DoesNothing(string provider)
    {
        var w = new VexWorld(provider);
        // Issues a scan cannot resolve: a product that is not a purl, an image qualifier Triage does not record.
        var notDue = await ImportVex(w, Document(Statement(Cve, "urn:example:app"), Statement(Cve, "pkg:oci/app?arch=arm64")), Cli, "not-due.json");
        Assert.Equal(["image_qualifier_unknown", "product_not_purl"], notDue.Unmatched.Select(u => u.Code).Order());
        await ScanAsync(w, RepoA, D1);
        var stamp = (await StoredAsync(w, notDue.Document.Id)).LastMatchedAt;

        Assert.False(await VexRematch.AnyDueAsync(w.Connection, DateTimeOffset.UtcNow));
        Assert.Empty(await RematchAsync(w));
        Assert.Equal(stamp, (await StoredAsync(w, notDue.Document.Id)).LastMatchedAt);

        // A due issue on a document matched after the imports: not due either.
        var recent = await ImportVex(w, Document(Statement(Cve, Oci(RepoB, D2))), Cli, "recent.json");
        var matchedAt = (await StoredAsync(w, recent.Document.Id)).LastMatchedAt;
        Assert.False(await VexRematch.AnyDueAsync(w.Connection, new DateTimeOffset(matchedAt, TimeSpan.Zero)));
        Assert.True(await VexRematch.AnyDueAsync(w.Connection, new DateTimeOffset(matchedAt, TimeSpan.Zero).AddSeconds(1)));
        Assert.Empty(await RematchAuditAsync(w));
    }

    /// <summary>What warrants a re-match (ADR 110): a report that created a finding or gave an image a name it lacked. A rescan
    /// of a known digest under a new tag creates no finding and still resolves a tag product; a rescan that changed nothing,
    /// or the same bytes again, does not warrant the probe.</summary>
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Rematch_IsWarrantedByNewFindingsOrANewTag_NotByARescanThatChangedNothing(string provider)
    {
        var w = new VexWorld(provider);
        var doc = await ImportVex(w, Document(Statement(Cve, $"pkg:oci/app?repository_url={RepoT}&tag=7.7")), Cli);
        Assert.Equal("no_image_in_repository", Assert.Single(doc.Unmatched).Code);

        var first = await ScanAsync(w, RepoT, D1, tag: "1.0");
        Assert.True(VexRematch.IsWarrantedBy([first]));
        Assert.True(Assert.Single(first.Artifacts).NamesAdded);
        Assert.Empty(await RematchAsync(w));   // no image tagged 7.7 yet: the document waits for one

        var same = await ScanAsync(w, RepoT, D1, tag: "1.0");
        Assert.Equal((0, false), (same.NewFindings, Assert.Single(same.Artifacts).NamesAdded));
        Assert.False(VexRematch.IsWarrantedBy([same]));
        Assert.False(VexRematch.IsWarrantedBy([same with { Duplicate = true, NewFindings = 3 }]));

        w.Clock.Advance(TimeSpan.FromMinutes(1));
        var retagged = await ScanAsync(w, RepoT, D1, tag: "7.7");
        Assert.Equal(0, retagged.NewFindings);
        Assert.True(Assert.Single(retagged.Artifacts).NamesAdded);
        Assert.True(VexRematch.IsWarrantedBy([same, retagged]));
        var outcome = Assert.Single(await RematchAsync(w));
        Assert.Equal((VexRematchState.Matched, 1), (outcome.State, outcome.DecisionsRecorded));
        Assert.Equal(VexStatus.NotAffected, (await InForceAsync(w))[D1]?.Status);
    }

    /// <summary>A document whose due issues only name images not imported yet is not re-imported after every import: it
    /// waits for an image with its digest, or in a repository of its name; a package product's document stays due (its
    /// subcomponents and aliases are not in the issue rows).</summary>
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Rematch_DocumentNamingOnlyImagesNotImportedYet_WaitsForThem(string provider)
    {
        const string other = "registry.example/x/other";
        var w = new VexWorld(provider);
        var byDigest = await ImportVex(w, Document(Statement(Cve, Oci(RepoA, D1))), Cli, "digest.json");
        var byRepository = await ImportVex(w, Document(Statement(Cve, $"pkg:oci/other?repository_url={other}&tag=2.0")), Cli, "repository.json");
        var byPackage = await ImportVex(w, Document(Statement(Cve, "pkg:apk/alpine/zlib")), Cli, "package.json");
        Assert.Equal(["no_image_in_repository", "no_image_with_digest", "package_not_in_any_image"],
            new[] { byDigest, byRepository, byPackage }.Select(d => Assert.Single(d.Unmatched).Code).Order());
        var stamps = new Dictionary<long, DateTime>();
        foreach (var d in new[] { byDigest, byRepository }) stamps[d.Document.Id] = (await StoredAsync(w, d.Document.Id)).LastMatchedAt;

        await ScanAsync(w, RepoA, D2);                       // another digest of the repository
        await ScanAsync(w, other, D3, tag: "1.0");           // the repository, another tag
        var outcome = Assert.Single(await RematchAsync(w));
        Assert.Equal((byPackage.Document.Id, 0), (outcome.DocumentId, outcome.DecisionsRecorded));
        foreach (var (id, stamp) in stamps) Assert.Equal(stamp, (await StoredAsync(w, id)).LastMatchedAt);   // not re-imported

        await ScanAsync(w, RepoA, D1);
        await ScanAsync(w, other, "sha256:" + new string('4', 64), tag: "2.0");
        var matched = (await RematchAsync(w)).Where(o => o.DecisionsRecorded > 0).Select(o => o.DocumentId).Order().ToList();
        Assert.Equal(new[] { byDigest.Document.Id, byRepository.Document.Id }.Order(), matched);
    }

    /// <summary>The scan half of a trivy-operator report is an import like any other: a document that named its image before
    /// applies once the report lands, and the runtime summary says so.</summary>
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Rematch_AfterATrivyOperatorReportsScanHalf(string provider)
    {
        var w = new VexWorld(provider);
        var doc = await ImportVex(w, Document(Statement("CVE-2023-23914", "pkg:oci/nginx?repository_url=docker.io/library/nginx")), Cli);
        Assert.Equal("no_image_in_repository", Assert.Single(doc.Unmatched).Code);

        // A digest: VEX decisions bind to digests (Trivy 0.38's reports have none, later ones do).
        var report = $$"""
            {
              "apiVersion": "aquasecurity.github.io/v1alpha1", "kind": "VulnerabilityReport",
              "metadata": { "name": "replicaset-nginx-1-nginx", "namespace": "default",
                "labels": { "trivy-operator.container.name": "nginx", "trivy-operator.resource.kind": "ReplicaSet",
                            "trivy-operator.resource.name": "nginx-1", "trivy-operator.resource.namespace": "default" } },
              "report": {
                "artifact": { "repository": "library/nginx", "tag": "alpine", "digest": "{{D1}}" }, "registry": { "server": "index.docker.io" },
                "scanner": { "name": "Trivy", "vendor": "Aqua Security", "version": "0.38.2" },
                "updateTimestamp": "2023-03-23T16:23:01Z",
                "vulnerabilities": [ { "vulnerabilityID": "CVE-2023-23914", "resource": "curl", "installedVersion": "7.87.0-r1",
                  "fixedVersion": "7.87.0-r2", "severity": "CRITICAL", "title": "curl: HSTS ignored", "primaryLink": "", "links": [], "target": "" } ]
              }
            }
            """;
        w.Clock.Advance(TimeSpan.FromMinutes(1));   // the upload comes after the document's import
        var summary = await new Triage.Data.Runtime.RuntimeIngestService(w.Connection, time: w.Clock).IngestAsync(
            new MemoryStream(Encoding.UTF8.GetBytes(report)), "operator.json", new Triage.Data.Runtime.RuntimeIngestOptions { Cluster = "prod" });

        Assert.Equal(1, summary.Scan!.NewFindings);
        Assert.Equal($"VEX document {doc.Document.Id} (vendor.openvex.json) matched again after new scans: 1 decision recorded", Assert.Single(summary.VexRematched));
        var details = (await w.Imports.DocumentAsync(doc.Document.Id))!;
        Assert.Empty(details.Issues);
        Assert.Equal(AuditChannels.Cli, Assert.Single(await RematchAuditAsync(w)).Channel);
    }

    /// <summary>One document that cannot be matched again (its stored bytes damaged) is reported and audited; the others are
    /// matched all the same.</summary>
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Rematch_OneDocumentFails_IsReportedAndAudited_TheOthersAreMatched(string provider)
    {
        var w = new VexWorld(provider);
        var broken = await ImportVex(w, Document(Statement(Cve, Oci(RepoA, D1))), Cli, "broken.json");
        var fine = await ImportVex(w, Document(Statement(Cve, Oci(RepoA, D1))), Cli, "fine.json");
        await using (var db = TriageDatabase.CreateContext(w.Connection))
        {
            (await db.VexDocuments.SingleAsync(d => d.Id == broken.Document.Id)).Content = [1, 2, 3];
            await db.SaveChangesAsync();
        }
        await ScanAsync(w, RepoA, D1);

        var outcomes = (await RematchAsync(w)).ToDictionary(o => o.DocumentId);

        Assert.Equal(VexRematchState.Failed, outcomes[broken.Document.Id].State);
        Assert.Equal((VexRematchState.Matched, 1), (outcomes[fine.Document.Id].State, outcomes[fine.Document.Id].DecisionsRecorded));
        Assert.NotNull((await InForceAsync(w))[D1]);
        Assert.Contains(await RematchAuditAsync(w), e => !e.Succeeded && e.Target == "broken.json");
    }
}
