using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Core.Vex;
using Triage.Data.Vex;
using Triage.Testing;
using static Triage.Data.Tests.Vex.VexWorld;

namespace Triage.Data.Tests.Vex;

/// <summary>Bulk decisions with preview, optimistic concurrency between two people, and re-review flags, on both providers.</summary>
public class DecisionBulkAndReviewTests
{
    private static async Task SetTeam(string connection, string repository, long team)
    {
        await using var db = TriageDatabase.CreateContext(connection);
        // Repositories.TeamId references Teams: make sure the team exists.
        if (!await db.Teams.AnyAsync(t => t.Id == team))
        {
            db.Teams.Add(new Team { Id = team, Name = $"team-{team}", CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }
        var repo = await db.Repositories.SingleAsync(r => r.Name == repository);
        repo.TeamId = team;
        await db.SaveChangesAsync();
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task TeamDecision_PreviewShowsWhatItTouchesAndWritesNothing_RecordThenGovernsEveryTeamImage(string provider)
    {
        var w = new VexWorld(provider);
        await w.Scan(Image($"{App}:1", D1, ("CVE-2024-0001", "busybox", "1.36.1-r15"), ("CVE-2024-0002", "zlib", "1.3.1-r0")));
        await w.Scan(Image("docker.io/library/api:1", D2, ("CVE-2024-0001", "busybox", "1.36.1-r20")));
        await w.Scan(Image("docker.io/library/other:1", D3, ("CVE-2024-0001", "busybox", "1.36.1-r15")));
        await SetTeam(w.Connection, App, 7);
        await SetTeam(w.Connection, "docker.io/library/api", 7);
        await w.Decisions.RecordAsync(Affected("CVE-2024-0001", AtImage(D1)));

        var request = NotAffected("CVE-2024-0001", new DecisionTarget.Team("7"));
        var preview = await w.Decisions.PreviewAsync(request);

        Assert.False(preview.Recorded);
        Assert.Equal(0, Assert.Single(preview.Decisions).Id);
        Assert.Equal([D1, D2], preview.Findings.Select(f => f.Digest).Order());
        var d1 = preview.Findings.Single(f => f.Digest == D1);
        Assert.Equal(VexStatus.Affected, d1.Before!.Status);
        Assert.False(d1.Governs);
        Assert.True(preview.Findings.Single(f => f.Digest == D2).Governs);
        Assert.Equal(2, preview.Applies);
        Assert.Equal(1, preview.Governs);
        await using (var db = TriageDatabase.CreateContext(w.Connection)) Assert.Equal(1, await db.Decisions.CountAsync());

        var recorded = await w.Decisions.RecordAsync(request);
        Assert.Equal(preview.Findings.Select(f => f.FindingId), recorded.Findings.Select(f => f.FindingId));
        var api = (await w.Finding(D2, "CVE-2024-0001", "busybox")).Vex!;
        Assert.Equal(DecisionScopeKind.Team, api.Scope);
        Assert.Equal(VexStatus.Affected, (await w.Finding(D1, "CVE-2024-0001", "busybox")).Vex!.Status);
        Assert.Null((await w.Finding(D3, "CVE-2024-0001", "busybox")).Vex);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task SelectedFindings_OneStatementPerVulnerabilityScopeAndPackage_BoundWithoutVersion(string provider)
    {
        var w = new VexWorld(provider);
        await w.Scan(Image($"{App}:1", D1, ("CVE-2024-0001", "busybox", "1.36.1-r15"), ("CVE-2024-0002", "zlib", "1.3.1-r0")));
        await w.Scan(Image($"{App}:2", D2, ("CVE-2024-0001", "busybox", "1.36.1-r20")));
        var all = await w.Findings();

        var outcome = await w.Decisions.RecordAsync(new DecisionRequest
        {
            Target = new DecisionTarget.Findings(all.Select(f => f.Id).ToArray(), DecisionScopeKind.Repository),
            Status = VexStatus.NotAffected,
            ImpactStatement = "The shell is never run by the service.",
            Author = "alice",
        });

        // busybox in two digests of one repository is one statement; zlib is another.
        Assert.Equal(2, outcome.Decisions.Count);
        Assert.All(outcome.Decisions, d => Assert.Equal(DecisionScopeKind.Repository, d.ScopeKind));
        Assert.Contains(outcome.Decisions, d => d.Vulnerability == "CVE-2024-0001" && d.Package == "pkg:apk/alpine/busybox");
        Assert.Equal(3, outcome.Governs);
        Assert.All(await w.Findings(), f => Assert.Equal(VexStatus.NotAffected, f.Vex!.Status));

        // Without version, the decision also covers the next rebuild's busybox.
        await w.Scan(Image($"{App}:3", D3, ("CVE-2024-0001", "busybox", "1.36.1-r29")));
        Assert.NotNull((await w.Finding(D3, "CVE-2024-0001", "busybox")).Vex);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task TwoPeopleDecideOnTheSameFinding_TheSecondGetsAConflictWithTheFirstsDecision(string provider)
    {
        var w = new VexWorld(provider);
        await w.Scan(Image($"{App}:1", D1, ("CVE-2024-0001", "busybox", "1.36.1-r15")));
        var finding = await w.Finding(D1, "CVE-2024-0001", "busybox");
        Assert.Null(finding.Vex);
        var seen = new Dictionary<long, long?> { [finding.Id] = null };

        var first = await w.Decisions.RecordAsync(NotAffected("CVE-2024-0001", AtImage(D1), "alice") with { Seen = seen });
        var conflict = await Assert.ThrowsAsync<DecisionConflictException>(() =>
            w.Decisions.RecordAsync(Affected("CVE-2024-0001", AtImage(D1), "bob") with { Seen = seen }));

        var c = Assert.Single(conflict.Conflicts);
        Assert.Equal(finding.Id, c.FindingId);
        Assert.Null(c.Expected);
        Assert.Equal(first.Decisions[0].Id, c.Current!.Id);
        Assert.Equal("alice", c.Current.Author);
        Assert.Contains("alice", conflict.Message);

        // Having seen alice's decision, bob may replace it; the row records what it superseded.
        var second = await w.Decisions.RecordAsync(Affected("CVE-2024-0001", AtImage(D1), "bob") with
        {
            Seen = new Dictionary<long, long?> { [finding.Id] = first.Decisions[0].Id },
        });
        Assert.Equal(first.Decisions[0].Id, second.Decisions[0].SupersedesId);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task TwoPeopleDecideAtTheSameInstant_ExactlyOneWins(string provider)
    {
        var w = new VexWorld(provider);
        await w.Scan(Image($"{App}:1", D1, ("CVE-2024-0001", "busybox", "1.36.1-r15")));
        var finding = await w.Finding(D1, "CVE-2024-0001", "busybox");
        var seen = new Dictionary<long, long?> { [finding.Id] = null };

        var attempts = Enumerable.Range(0, 4).Select(i => Task.Run(async () =>
        {
            try
            {
                await w.Decisions.RecordAsync(NotAffected("CVE-2024-0001", AtImage(D1), $"user{i}") with { Seen = seen });
                return true;
            }
            catch (DecisionConflictException)
            {
                return false;
            }
        })).ToArray();
        var results = await Task.WhenAll(attempts);

        Assert.Equal(1, results.Count(ok => ok));
        await using var db = TriageDatabase.CreateContext(w.Connection);
        Assert.Equal(1, await db.Decisions.CountAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task NewDigestWithAnotherPackageVersion_FlagsTheVersionBoundDecisionForReReview(string provider)
    {
        var w = new VexWorld(provider);
        await w.Scan(Image($"{App}:1", D1, ("CVE-2024-0001", "busybox", "1.36.1-r15"), ("CVE-2024-0002", "zlib", "1.3.1-r0")));
        var bound = await w.Decisions.RecordAsync(NotAffected("CVE-2024-0001", AtRepository, package: "pkg:apk/alpine/busybox@1.36.1-r15"));
        var unbound = await w.Decisions.RecordAsync(NotAffected("CVE-2024-0002", AtRepository, package: "pkg:apk/alpine/zlib"));
        Assert.Empty(await w.Decisions.ReReviewAsync());

        await w.Scan(Image($"{App}:1", D2, ("CVE-2024-0001", "busybox", "1.36.1-r29"), ("CVE-2024-0002", "zlib", "1.3.1-r1")));

        var item = Assert.Single(await w.Decisions.ReReviewAsync());
        Assert.Equal(bound.Decisions[0].Id, item.Decision.Id);
        var flag = Assert.Single(item.Flags);
        Assert.Equal(ReReviewReason.PackageVersionChanged, flag.Reason);
        Assert.Contains("1.36.1-r29", flag.Message);
        // Bound to r15, it does not govern r29; the unbound zlib decision does follow.
        Assert.Null((await w.Finding(D2, "CVE-2024-0001", "busybox")).Vex);
        Assert.Equal(unbound.Decisions[0].Id, (await w.Finding(D2, "CVE-2024-0002", "zlib")).Vex!.DecisionId);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task KevListingAndExpiry_FlagCurrentDecisions_ANewDecisionAnswersTheFlag(string provider)
    {
        var w = new VexWorld(provider);
        await w.Scan(new ReportBuilder(ScannerKind.Grype, $"{App}:1", D1)
            .Claim("GHSA-aaaa-bbbb-cccc", "npm", "lodash", "4.17.20", aliases: ["CVE-2024-0001"], purl: "pkg:npm/lodash@4.17.20")
            .Claim("CVE-2024-0002", "npm", "minimist", "1.2.5", purl: "pkg:npm/minimist@1.2.5"));
        // Decided on the GHSA id: the KEV listing of its CVE reaches it through the alias group.
        await w.Decisions.RecordAsync(NotAffected("GHSA-aaaa-bbbb-cccc", AtImage(D1)) with { ExpiresAt = w.Clock.Now.AddDays(1) });
        await w.Decisions.RecordAsync(Status("CVE-2024-0002", AtImage(D1), VexStatus.Fixed));

        w.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, await w.Decisions.FlagKevListedAsync(["CVE-2024-0001", "CVE-2024-0002"]));
        Assert.Equal(0, await w.Decisions.FlagKevListedAsync(["CVE-2024-0001"]));
        w.Clock.Advance(TimeSpan.FromDays(2));

        var item = Assert.Single(await w.Decisions.ReReviewAsync());
        Assert.Equal("GHSA-aaaa-bbbb-cccc", item.Decision.Vulnerability);
        Assert.Equal([ReReviewReason.Expired, ReReviewReason.EnteredKev], item.Flags.Select(f => f.Reason));

        await w.Decisions.RecordAsync(Affected("GHSA-aaaa-bbbb-cccc", AtImage(D1), "bob"));
        Assert.Empty(await w.Decisions.ReReviewAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task ATeamMember_ExportsAndReviewsOnlyTheirTeamsImages_GlobalDecisionsConcernEveryone(string provider)
    {
        var w = new VexWorld(provider);
        await w.Scan(Image($"{App}:1", D1, ("CVE-2024-0001", "busybox", "1.36.1-r15")));
        await w.Scan(Image("docker.io/library/api:1", D2, ("CVE-2024-0001", "busybox", "1.36.1-r15"), ("CVE-2024-0009", "zlib", "1.3.1-r0")));
        await SetTeam(w.Connection, App, 7);
        await SetTeam(w.Connection, "docker.io/library/api", 8);
        var mine = await w.Decisions.RecordAsync(NotAffected("CVE-2024-0001", AtImage(D1)) with { ExpiresAt = w.Clock.Now.AddDays(1) });
        var theirs = await w.Decisions.RecordAsync(NotAffected("CVE-2024-0001", new DecisionTarget.Repository("docker.io/library/api")) with { ExpiresAt = w.Clock.Now.AddDays(1) });
        var everyone = await w.Decisions.RecordAsync(NotAffected("CVE-2024-0009", DecisionTarget.Everywhere.Instance) with { ExpiresAt = w.Clock.Now.AddDays(1) });
        var team7 = new VexAudience([7]);

        // Export of everything: an admin's names both images, team 7's only its own; another team's image is unknown.
        var all = await w.Exports.ExportAsync(VexFormat.OpenVex, VexExportScope.Everything.Instance);
        var own = await w.Exports.ExportAsync(VexFormat.OpenVex, VexExportScope.Everything.Instance, null, team7);
        Assert.Equal((2, 1), (all.Images, own.Images));
        Assert.Contains(D1[7..], own.Result.Json); // the hex digest, inside a pkg:oci purl
        Assert.DoesNotContain(D2[7..], own.Result.Json);
        Assert.Contains(D2[7..], all.Result.Json);
        await Assert.ThrowsAsync<DecisionTargetException>(() =>
            w.Exports.ExportAsync(VexFormat.OpenVex, new VexExportScope.Repository("docker.io/library/api"), null, team7));
        await Assert.ThrowsAsync<DecisionTargetException>(() => w.Exports.ExportAsync(VexFormat.OpenVex, new VexExportScope.Team("8"), null, team7));

        w.Clock.Advance(TimeSpan.FromDays(2));

        // Re-review: all three expired; team 7 sees its digest decision and the global one, not team 8's repository decision.
        Assert.Equal(3, (await w.Decisions.ReReviewAsync()).Count);
        Assert.Equal([mine.Decisions[0].Id, everyone.Decisions[0].Id],
            (await w.Decisions.ReReviewAsync(team7)).Select(i => i.Decision.Id).Order());
        Assert.DoesNotContain(await w.Decisions.ReReviewAsync(new VexAudience([])), i => i.Decision.Id == theirs.Decisions[0].Id);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task EvidenceContradictingTheJustification_FlagsTheDecisionInForce(string provider)
    {
        var w = new VexWorld(provider);
        await w.Scan(Image($"{App}:1", D1, ("CVE-2024-0001", "busybox", "1.36.1-r15")));
        await w.Decisions.RecordAsync(NotAffected("CVE-2024-0001", AtImage(D1)));
        var finding = await w.Finding(D1, "CVE-2024-0001", "busybox");

        Assert.Equal(0, await w.Decisions.FlagEvidenceAsync(finding.Id, PackageEvidence.PresentNotLoaded));
        Assert.Equal(1, await w.Decisions.FlagEvidenceAsync(finding.Id, PackageEvidence.Loaded));

        var item = Assert.Single(await w.Decisions.ReReviewAsync());
        Assert.Equal(ReReviewReason.EvidenceContradictsJustification, Assert.Single(item.Flags).Reason);
        Assert.Equal(VexJustification.VulnerableCodeNotInExecutePath,
            DecisionService.SuggestJustification(PackageEvidence.PresentNotLoaded).Justification);
        Assert.Null(DecisionService.SuggestJustification(PackageEvidence.Loaded).Justification);
    }

    /// <summary>Five hundred selected findings decided in one call (with the optimistic-concurrency check over all of them):
    /// one statement per (vulnerability, scope, package), history appended, the replaced decision named, every finding
    /// governed, decisions in force recomputed; and the call takes seconds at most even on a loaded machine (it grew with
    /// the square of the selection).</summary>
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task FiveHundredSelectedFindings_DecidedInOneCall_EachGovernedByItsOwnStatement(string provider)
    {
        var w = new VexWorld(provider);
        var claims = Enumerable.Range(0, 250).Select(i => ($"CVE-2024-{1000 + i}", $"pkg{i % 40}", "1.0.0-r0")).ToArray();
        await w.Scan(Image($"{App}:1", D1, claims));
        await w.Scan(Image($"{App}:2", D2, claims));
        await w.Scan(Image("docker.io/library/other:1", D3, claims));
        var all = await w.Findings();
        Assert.Equal(750, all.Count);
        var earlier = await w.Decisions.RecordAsync(Affected(claims[0].Item1, AtImage(D1), "bob"));
        w.Clock.Advance(TimeSpan.FromMinutes(1));

        var selected = all.Where(f => f.Digest != D3).ToList();
        var seen = selected.ToDictionary(f => f.Id, f => f.Digest == D1 && f.Vulnerability.Id == claims[0].Item1 ? earlier.Decisions[0].Id : (long?)null);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var digest = await w.Decisions.RecordAsync(new DecisionRequest
        {
            Target = new DecisionTarget.Findings(selected.Select(f => f.Id).ToArray(), DecisionScopeKind.Digest),
            Status = VexStatus.NotAffected,
            Justification = VexJustification.VulnerableCodeNotInExecutePath,
            Author = "alice",
            Seen = seen,
            Origin = new DecisionOriginInfo(null, null, "user-alice"),
        });
        var digestTime = watch.Elapsed;
        watch.Restart();
        var repository = await w.Decisions.RecordAsync(new DecisionRequest
        {
            Target = new DecisionTarget.Findings(all.Where(f => f.Digest == D3).Select(f => f.Id).ToArray(), DecisionScopeKind.Repository),
            Status = VexStatus.Affected,
            ActionStatement = "upgrade",
            Author = "alice",
        });
        var repositoryTime = watch.Elapsed;

        Assert.Equal((500, 500), (digest.Decisions.Count, digest.Governs));
        Assert.Equal((250, 250), (repository.Decisions.Count, repository.Governs));
        // The one that replaced bob's decision says so; the history keeps bob's.
        Assert.Equal(earlier.Decisions[0].Id, Assert.Single(digest.Decisions, d => d.SupersedesId is not null).SupersedesId);
        var after = await w.Findings();
        Assert.All(after.Where(f => f.Digest != D3), f => Assert.Equal(VexStatus.NotAffected, f.Vex!.Status));
        Assert.All(after.Where(f => f.Digest == D3), f => Assert.Equal((VexStatus.Affected, DecisionScopeKind.Repository), (f.Vex!.Status, f.Vex.Scope)));
        await using (var db = TriageDatabase.CreateContext(w.Connection))
        {
            Assert.Equal(751, await db.Decisions.CountAsync());
            Assert.Equal(750, await db.EffectiveDecisions.CountAsync());
            Assert.Equal(500, await db.DecisionOrigins.CountAsync(o => o.UserId == "user-alice"));
        }
        var history = await w.Decisions.HistoryAsync(after.Single(f => f.Digest == D1 && f.Vulnerability.Id == claims[0].Item1).Id);
        Assert.Equal(["bob", "alice"], history!.Timeline.Select(e => e.Decision.Author));

        // A generous bound for a loaded 2-core machine (docs/benchmarks.md, "Bulk decisions", has the figures).
        Assert.True(digestTime < TimeSpan.FromSeconds(5) && repositoryTime < TimeSpan.FromSeconds(5), $"digest {digestTime}, repository {repositoryTime}");
        Console.WriteLine($"[bulk decisions] {provider}: 500 findings at digest scope {digestTime.TotalMilliseconds:F0} ms, 250 at repository scope {repositoryTime.TotalMilliseconds:F0} ms");
    }
}
